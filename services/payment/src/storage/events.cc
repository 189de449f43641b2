// Gateway webhooks and consumed appointment events (each applied once), and the
// reconciliation's reads.
#include "storage/store.h"

namespace healthtech::payment::storage {

void RecordWebhook(Tx& tx, const std::string& event_id, const std::string& gateway,
                   const std::string& event_type, const std::string& payment_ref) {
  pg::Exec(tx, "webhooks/record", event_id, gateway, event_type, payment_ref);
}

bool WebhookProcessed(Tx& tx, const std::string& event_id) {
  return !pg::Exec(tx, "webhooks/processed", event_id).empty();
}

void ForgetWebhook(Tx& tx, const std::string& event_id) {
  pg::Exec(tx, "webhooks/forget", event_id);
}

void WebhookDone(Tx& tx, const std::string& event_id, bool applied) {
  pg::Exec(tx, "webhooks/done", event_id, applied);
}

bool ConsumeEvent(Tx& tx, const std::string& event_id, const std::string& event_type) {
  return !pg::Exec(tx, "events/consume", event_id, event_type).empty();
}

void ForgetEvent(Tx& tx, const std::string& event_id) { pg::Exec(tx, "events/forget", event_id); }

std::vector<LedgerTotals> LedgerTotalsByPayment(Tx& tx) {
  std::vector<LedgerTotals> out;
  for (const auto& r : pg::Exec(tx, "reconcile/ledger")) {
    LedgerTotals t;
    t.payment_id = r["id"].as<std::string>();
    t.order_id = r["gateway_order_id"].as<std::string>();
    t.currency = r["currency"].as<std::string>();
    t.captured = r["captured"].as<int64_t>();
    t.refunded = r["refunded"].as<int64_t>();
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<StuckPayment> StuckPayments(Tx& tx) {
  std::vector<StuckPayment> out;
  for (const auto& r : pg::Exec(tx, "reconcile/stuck")) {
    StuckPayment s;
    s.id = r["id"].as<std::string>();
    s.kind = r["kind"].as<std::string>();
    s.appointment_id = r["appointment_id"].as<std::string>();
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace healthtech::payment::storage
