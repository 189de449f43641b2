#include <map>

#include "healthtech/outbox/relay.h"
#include "storage/store.h"

namespace healthtech::payment {
// Generated from sql/ at build time: relative path -> statement.
const std::map<std::string, std::string>& Statements();
}  // namespace healthtech::payment

namespace healthtech::payment::storage {
namespace {

Payment Read(const pqxx::row& r) {
  Payment p;
  p.id = r["id"].as<std::string>();
  p.appointment_id = r["appointment_id"].as<std::string>();
  p.payer_id = r["payer_id"].as<std::string>();
  p.organization_id = r["organization_id"].as<std::string>();
  p.amount_minor = r["amount_minor"].as<int64_t>();
  p.currency = r["currency"].as<std::string>();
  p.status = r["status"].as<std::string>();
  p.gateway = r["gateway"].as<std::string>();
  p.gateway_order_id = r["gateway_order_id"].as<std::string>();
  if (!r["gateway_payment_id"].is_null())
    p.gateway_payment_id = r["gateway_payment_id"].as<std::string>();
  if (!r["failure_reason"].is_null()) p.failure_reason = r["failure_reason"].as<std::string>();
  p.created_at = r["created_s"].as<int64_t>();
  p.updated_at = r["updated_s"].as<int64_t>();
  if (!r["captured_s"].is_null()) p.captured_at = r["captured_s"].as<int64_t>();
  return p;
}

std::optional<std::string> FirstId(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return r[0]["id"].as<std::string>();
}

std::vector<std::string> Ids(const pqxx::result& rows, const char* column) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r[column].as<std::string>());
  return out;
}

}  // namespace

void PrepareStatements(pg::Pool& pool) {
  for (const auto& [path, sql] : Statements()) {
    std::string name = path.substr(0, path.size() - 4);  // "payments/find.sql" -> "payments/find"
    pool.Prepare(name, sql);
  }
}

void Emit(Tx& tx, const std::string& type, const std::string& aggregate_id,
          const std::string& payload_json) {
  outbox::Enqueue(tx, "payment", type, aggregate_id, payload_json);
}

std::optional<Payment> FindPayment(Tx& tx, const std::string& id) {
  auto r = pg::Exec(tx, "payments/find", id);
  if (r.empty()) return std::nullopt;  // not found, or not visible (RLS): the same answer
  return Read(r[0]);
}

std::vector<Payment> ListPayments(Tx& tx, const ListQuery& q) {
  std::vector<Payment> out;
  for (const auto& r : pg::Exec(tx, "payments/list", q.statuses, q.appointment_id, q.after,
                                q.after_us, q.after_id, q.limit)) {
    out.push_back(Read(r));
    out.back().created_us = r["created_us"].as<int64_t>();
  }
  return out;
}

std::optional<PriorRequest> PaymentByKey(Tx& tx, const std::string& payer_id,
                                         const std::string& key) {
  auto r = pg::Exec(tx, "payments/find_by_key", payer_id, key);
  if (r.empty()) return std::nullopt;
  return PriorRequest{r[0]["id"].as<std::string>(), r[0]["request_hash"].as<std::string>()};
}

std::optional<std::string> OpenPayment(Tx& tx, const std::string& appointment_id) {
  return FirstId(pg::Exec(tx, "payments/find_open", appointment_id));
}

std::optional<std::string> InsertPayment(Tx& tx, const NewPayment& p) {
  try {
    // SAVEPOINT cannot be a prepared statement: it is the one command sent as text.
    tx.exec("SAVEPOINT create_payment");
    auto rows = pg::Exec(tx, "payments/insert", p.appointment_id, p.payer_id, p.organization_id,
                         p.amount_minor, p.currency, p.gateway, p.idempotency_key, p.request_hash,
                         p.practitioner_name, p.practitioner_specialty, p.start_seconds,
                         p.timezone.empty() ? std::string("Asia/Kolkata") : p.timezone, p.place);
    return rows[0]["id"].as<std::string>();
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() != "23505") throw;
    tx.exec("ROLLBACK TO SAVEPOINT create_payment");
    return std::nullopt;
  }
}

bool RecordOrder(Tx& tx, const std::string& payment_id, const std::string& order_id) {
  return !pg::Exec(tx, "payments/record_order", payment_id, order_id).empty();
}

void ForgetCreating(Tx& tx, const std::string& payment_id) {
  pg::Exec(tx, "payments/forget_creating", payment_id);
}

std::vector<std::string> StaleCreating(Tx& tx, int min_age_seconds) {
  return Ids(pg::Exec(tx, "payments/stale_creating", min_age_seconds), "id");
}

std::vector<std::string> UnsettledCaptures(Tx& tx, int min_age_seconds) {
  return Ids(pg::Exec(tx, "payments/unsettled", min_age_seconds), "id");
}

std::optional<OrderPayment> LockByOrder(Tx& tx, const std::string& order_id) {
  auto rows = pg::Exec(tx, "payments/lock_by_order", order_id);
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  OrderPayment p;
  p.id = r["id"].as<std::string>();
  p.status = r["status"].as<std::string>();
  p.amount_minor = r["amount_minor"].as<int64_t>();
  p.currency = r["currency"].as<std::string>();
  p.payer_id = r["payer_id"].as<std::string>();
  p.appointment_id = r["appointment_id"].as<std::string>();
  p.organization_id = r["organization_id"].as<std::string>();
  return p;
}

void MarkCaptured(Tx& tx, const std::string& payment_id, const std::string& gateway_payment_id) {
  pg::Exec(tx, "payments/capture", payment_id, gateway_payment_id);
}

std::optional<Settlement> SettlementOf(Tx& tx, const std::string& payment_id) {
  auto r = pg::Exec(tx, "payments/settlement", payment_id);
  if (r.empty()) return std::nullopt;
  return Settlement{r[0]["appointment_id"].as<std::string>(), r[0]["settled"].as<bool>()};
}

void MarkSettled(Tx& tx, const std::string& payment_id) {
  pg::Exec(tx, "payments/mark_settled", payment_id);
}

std::optional<std::string> OrderIdOf(Tx& tx, const std::string& payment_id) {
  auto r = pg::Exec(tx, "payments/order_id", payment_id);
  if (r.empty()) return std::nullopt;
  return r[0]["gateway_order_id"].as<std::string>();
}

std::optional<std::string> MarkFailed(Tx& tx, const std::string& order_id,
                                      const std::string& reason) {
  return FirstId(pg::Exec(tx, "payments/fail", order_id, reason));
}

std::vector<std::string> PendingOrders(Tx& tx, int min_age_seconds) {
  return Ids(pg::Exec(tx, "payments/pending_orders", min_age_seconds), "gateway_order_id");
}

void TouchOrder(Tx& tx, const std::string& order_id) {
  pg::Exec(tx, "payments/touch_order", order_id);
}

std::optional<std::string> OrganizationOf(Tx& tx, const std::string& payment_id) {
  auto r = pg::Exec(tx, "payments/organization", payment_id);
  if (r.empty()) return std::nullopt;
  return r[0]["organization_id"].as<std::string>();
}

std::optional<RefundablePayment> LockForRefund(Tx& tx, const std::string& payment_id) {
  auto rows = pg::Exec(tx, "payments/lock_for_refund", payment_id);
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  RefundablePayment p;
  p.status = r["status"].as<std::string>();
  p.amount_minor = r["amount_minor"].as<int64_t>();
  p.currency = r["currency"].as<std::string>();
  p.gateway_payment_id = r["gateway_payment_id"].as<std::string>();
  return p;
}

std::string UpdateRefundedStatus(Tx& tx, const std::string& payment_id) {
  return pg::Exec(tx, "payments/refunded", payment_id)[0]["payer_id"].as<std::string>();
}

std::optional<std::string> CapturedPaymentOf(Tx& tx, const std::string& appointment_id) {
  return FirstId(pg::Exec(tx, "payments/captured_for_appointment", appointment_id));
}

std::optional<int64_t> AmountOf(Tx& tx, const std::string& payment_id) {
  auto r = pg::Exec(tx, "payments/amount", payment_id);
  if (r.empty()) return std::nullopt;
  return r[0]["amount_minor"].as<int64_t>();
}

void LedgerOrderCreated(Tx& tx, const std::string& payment_id, int64_t amount_minor,
                        const std::string& currency, const std::string& order_id) {
  pg::Exec(tx, "ledger/order_created", payment_id, amount_minor, currency, order_id);
}

void LedgerCaptured(Tx& tx, const std::string& payment_id, int64_t amount_minor,
                    const std::string& currency, const std::string& gateway_payment_id) {
  pg::Exec(tx, "ledger/captured", payment_id, amount_minor, currency, gateway_payment_id);
}

void LedgerRefunded(Tx& tx, const std::string& payment_id, int64_t amount_minor,
                    const std::string& currency, const std::string& gateway_refund_id) {
  pg::Exec(tx, "ledger/refunded", payment_id, amount_minor, currency, gateway_refund_id);
}

}  // namespace healthtech::payment::storage
