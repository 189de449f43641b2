#include "storage/store.h"

namespace healthtech::payment::storage {
namespace {

std::optional<std::string> FirstId(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return r[0]["id"].as<std::string>();
}

}  // namespace

std::optional<PaymentForDocument> PaymentForDocumentOf(Tx& tx, const std::string& payment_id) {
  auto rows = pg::Exec(tx, "payments/for_document", payment_id);
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  PaymentForDocument p;
  p.appointment_id = r["appointment_id"].as<std::string>();
  p.payer_id = r["payer_id"].as<std::string>();
  p.organization_id = r["organization_id"].as<std::string>();
  p.amount_minor = r["amount_minor"].as<int64_t>();
  p.currency = r["currency"].as<std::string>();
  p.issued_at = r["issued_s"].as<int64_t>();
  p.description = r["description"].as<std::string>();
  return p;
}

std::optional<RefundForDocument> RefundForDocumentOf(Tx& tx, const std::string& refund_id) {
  auto r = pg::Exec(tx, "refunds/for_document", refund_id);
  if (r.empty()) return std::nullopt;
  RefundForDocument out;
  out.amount_minor = r[0]["amount_minor"].as<int64_t>();
  out.issued_at = r[0]["issued_s"].as<int64_t>();
  return out;
}

std::optional<std::string> InvoiceOf(Tx& tx, const std::string& payment_id) {
  return FirstId(pg::Exec(tx, "invoices/invoice_of_payment", payment_id));
}

std::optional<std::string> CreditNoteOf(Tx& tx, const std::string& refund_id) {
  return FirstId(pg::Exec(tx, "invoices/credit_note_of_refund", refund_id));
}

int NextDocumentNumber(Tx& tx, const std::string& organization_id, const std::string& kind,
                       const std::string& fiscal_year) {
  return pg::Exec(tx, "invoices/next_number", organization_id, kind, fiscal_year)[0]["last_number"]
      .as<int>();
}

std::string NewDocumentId(Tx& tx) {
  return pg::Exec(tx, "invoices/new_id")[0]["id"].as<std::string>();
}

bool InsertDocument(Tx& tx, const NewDocument& d) {
  return !pg::Exec(tx, "invoices/insert", d.id, d.kind, d.organization_id, d.fiscal_year, d.seq,
                   d.number, d.payment_id, d.refund_id, pqxx::binarystring(d.document))
              .empty();
}

std::optional<std::string> VisibleDocument(Tx& tx, const std::string& id) {
  auto r = pg::Exec(tx, "invoices/document", id);
  if (r.empty()) return std::nullopt;
  return pqxx::binarystring(r[0]["document"]).str();
}

}  // namespace healthtech::payment::storage
