// Invoices and credit notes: issued once per capture / processed refund (numbered without
// gaps per organization, kind and fiscal year), then read as data or as a PDF.
#include <nlohmann/json.hpp>

#include "domain/invoice.h"
#include "handlers/common.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::payment {

using grpc_server::RpcScope;
using grpc_server::Serve;
using namespace handlers;
namespace st = status;

absl::StatusOr<std::string> PaymentService::IssueDocument(const std::string& payment_id,
                                                          const std::string& refund_id) {
  bool credit = !refund_id.empty();
  // Already issued?
  std::string existing, appointment_id, payer_id, org_id, currency, original, description;
  int64_t amount = 0;
  int64_t issued_at = 0;
  auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
    auto e = credit ? storage::CreditNoteOf(tx, refund_id) : storage::InvoiceOf(tx, payment_id);
    if (e) existing = *e;
    auto p = storage::PaymentForDocumentOf(tx, payment_id);
    if (!p) return domain::PaymentNotFound();
    appointment_id = p->appointment_id;
    payer_id = p->payer_id;
    org_id = p->organization_id;
    amount = p->amount_minor;
    currency = p->currency;
    issued_at = p->issued_at;
    description = p->description;
    if (credit) {
      auto r = storage::RefundForDocumentOf(tx, refund_id);
      if (!r) return domain::PaymentNotFound();
      amount = r->amount_minor;
      issued_at = r->issued_at;
      if (auto o = storage::InvoiceOf(tx, payment_id)) original = *o;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!existing.empty()) return existing;

  v1::Invoice inv;
  inv.set_kind(credit ? v1::INVOICE_KIND_CREDIT_NOTE : v1::INVOICE_KIND_INVOICE);
  inv.set_payment_id(payment_id);
  inv.set_appointment_id(appointment_id);
  if (credit) inv.set_refund_id(refund_id);
  if (!original.empty()) inv.set_original_invoice_id(original);
  inv.mutable_issued_at()->set_seconds(issued_at);
  // Seller: the (verified, hence public) organization.
  {
    auto org = directory_.Organization(org_id);
    if (!org.ok()) return org.status();
    auto* seller = inv.mutable_seller();
    seller->set_id(org->id());
    seller->set_name(org->legal_name());
    if (org->has_gstin()) seller->set_gstin(org->gstin());
    *seller->mutable_address() = org->address();
    seller->set_email(org->contact_email());
    inv.set_place_of_supply(org->address().state());
  }
  // Buyer: the patient.
  {
    auto user = directory_.User(payer_id);
    if (!user.ok()) return user.status();
    inv.mutable_buyer()->set_id(payer_id);
    inv.mutable_buyer()->set_name(user->full_name());
    inv.mutable_buyer()->set_email(user->email());
  }
  auto* li = inv.add_line_items();
  li->set_description(domain::LineDescription(credit, appointment_id, description));
  li->set_sac_code("9993");  // human health services
  li->set_quantity(1);
  li->mutable_unit_price()->set_amount_minor(amount);
  li->mutable_unit_price()->set_currency(currency);
  // Consultations are supplied at the clinic: the place of supply is the seller's state.
  ComputeTotals(&inv, config_.gst_rate_bps, /*same_state=*/true);
  std::string id;
  s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
    std::string fy = FiscalYear(issued_at), kind = credit ? "credit_note" : "invoice";
    // Gapless: the counter row stays locked until this transaction ends.
    int seq = storage::NextDocumentNumber(tx, org_id, kind, fy);
    inv.set_number(DocumentNumber(credit, fy, seq));
    id = storage::NewDocumentId(tx);
    inv.set_id(id);
    // Issued documents are immutable: written once, complete.
    storage::NewDocument doc;
    doc.id = id;
    doc.kind = kind;
    doc.organization_id = org_id;
    doc.fiscal_year = fy;
    doc.seq = seq;
    doc.number = inv.number();
    doc.payment_id = payment_id;
    doc.refund_id = refund_id;
    doc.document = inv.SerializeAsString();
    if (!storage::InsertDocument(tx, doc)) {
      // Someone issued it concurrently: roll back our number, keep theirs.
      return st::Conflict("ALREADY_ISSUED", "issued concurrently");
    }
    nlohmann::json ev = {
        {"invoice_id", id},
        {"number", inv.number()},
        {"kind", kind},
        {"payment_id", payment_id},
        {"payer_id", payer_id},
        {"organization_id", org_id},
        {"total", {{"amount_minor", inv.total().amount_minor()}, {"currency", currency}}}};
    storage::Emit(tx, "invoice.issued", id, ev.dump());
    return absl::OkStatus();
  });
  if (s.code() == absl::StatusCode::kAborted) {
    // Issued concurrently by another request: return that one (never loop).
    std::string found;
    pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) {
      auto e = credit ? storage::CreditNoteOf(tx, refund_id) : storage::InvoiceOf(tx, payment_id);
      if (e) found = *e;
      return absl::OkStatus();
    }).IgnoreError();
    if (found.empty()) return st::Internal("invoice could not be issued");
    return found;
  }
  if (!s.ok()) return s;
  return id;
}

absl::StatusOr<v1::Invoice> PaymentService::LoadInvoice(const std::string& id,
                                                        const grpc::ServerContext& ctx) {
  const absl::Status not_found =
      st::NotFound("INVOICE_NOT_FOUND", "No invoice with this id is visible to you.");
  auto caller = Caller(ctx);
  if (!caller.ok()) return caller.status();
  if (!validate::ValidUuid(id)) return not_found;
  v1::Invoice inv;
  auto s = pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
    // Visible when its payment is (payer, seller's admins, platform admins: RLS).
    auto document = storage::VisibleDocument(tx, id);
    if (!document) return not_found;
    inv.ParseFromString(*document);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return inv;
}

grpc::Status PaymentService::GetInvoice(Ctx* ctx, const v1::GetInvoiceRequest* req,
                                        v1::Invoice* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto inv = LoadInvoice(req->id(), *ctx);
    if (!inv.ok()) return inv.status();
    *resp = *inv;
    return absl::OkStatus();
  });
}

grpc::Status PaymentService::GetInvoicePdf(Ctx* ctx, const v1::GetInvoicePdfRequest* req,
                                           v1::GetInvoicePdfResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto inv = LoadInvoice(req->id(), *ctx);
    if (!inv.ok()) return inv.status();
    resp->set_pdf(RenderPdf(*inv));
    resp->set_content_type("application/pdf");
    resp->set_filename(domain::PdfFilename(inv->number()));
    return absl::OkStatus();
  });
}

}  // namespace healthtech::payment
