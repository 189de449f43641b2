#include "storage/store.h"

namespace healthtech::payment::storage {
namespace {

Refund Read(const pqxx::row& r) {
  Refund out;
  out.id = r["id"].as<std::string>();
  out.payment_id = r["payment_id"].as<std::string>();
  out.amount_minor = r["amount_minor"].as<int64_t>();
  out.currency = r["currency"].as<std::string>();
  out.status = r["status"].as<std::string>();
  out.reason = r["reason"].as<std::string>();
  out.initiated_by = r["initiated_by"].as<std::string>();
  if (!r["gateway_refund_id"].is_null())
    out.gateway_refund_id = r["gateway_refund_id"].as<std::string>();
  out.created_at = r["created_s"].as<int64_t>();
  if (!r["processed_s"].is_null()) out.processed_at = r["processed_s"].as<int64_t>();
  return out;
}

}  // namespace

std::vector<Refund> RefundsOf(Tx& tx, const std::string& payment_id) {
  std::vector<Refund> out;
  for (const auto& r : pg::Exec(tx, "refunds/by_payment", payment_id)) out.push_back(Read(r));
  return out;
}

std::optional<Refund> FindRefund(Tx& tx, const std::string& id) {
  auto r = pg::Exec(tx, "refunds/find", id);
  if (r.empty()) return std::nullopt;
  return Read(r[0]);
}

std::optional<PriorRequest> RefundByKey(Tx& tx, const std::string& payment_id,
                                        const std::string& key) {
  auto r = pg::Exec(tx, "refunds/find_by_key", payment_id, key);
  if (r.empty()) return std::nullopt;
  return PriorRequest{r[0]["id"].as<std::string>(), r[0]["request_hash"].as<std::string>()};
}

int64_t RefundedTotal(Tx& tx, const std::string& payment_id) {
  return pg::Exec(tx, "refunds/total", payment_id)[0]["total"].as<int64_t>();
}

std::string InsertRefund(Tx& tx, const NewRefund& r) {
  return pg::Exec(tx, "refunds/insert", r.payment_id, r.amount_minor, r.currency, r.reason,
                  r.initiated_by, r.user_id, r.idempotency_key, r.request_hash)[0]["id"]
      .as<std::string>();
}

void MarkRefundFailed(Tx& tx, const std::string& id) { pg::Exec(tx, "refunds/fail", id); }

void RecordGatewayRefund(Tx& tx, const std::string& id, const std::string& gateway_refund_id,
                         const std::string& gateway_status) {
  pg::Exec(tx, "refunds/gateway_answer", id, gateway_refund_id, gateway_status);
}

std::optional<ProcessedRefund> ProcessByGatewayId(Tx& tx, const std::string& gateway_refund_id) {
  auto rows = pg::Exec(tx, "refunds/processed_by_gateway", gateway_refund_id);
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  ProcessedRefund out;
  out.id = r["id"].as<std::string>();
  out.payment_id = r["payment_id"].as<std::string>();
  out.amount_minor = r["amount_minor"].as<int64_t>();
  out.currency = r["currency"].as<std::string>();
  out.initiated_by = r["initiated_by"].as<std::string>();
  return out;
}

}  // namespace healthtech::payment::storage
