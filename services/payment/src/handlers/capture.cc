// Captures: recording one (from a webhook, a verified checkout or the gateway sync) and
// settling it (the invoice, then the appointment's confirmation), and the sweeps that
// resume what a crash cut in two.
#include <nlohmann/json.hpp>

#include "handlers/common.h"
#include "healthtech/log/log.h"
#include "service.h"

namespace healthtech::payment {

using namespace handlers;
namespace st = status;

absl::Status PaymentService::ApplyCapture(const std::string& order_id,
                                          const std::string& gateway_payment_id,
                                          int64_t amount_minor, const std::string& request_id,
                                          bool* applied) {
  std::string payment_id;
  *applied = false;
  auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
    auto row = storage::LockByOrder(tx, order_id);
    if (!row) return st::NotFound("PAYMENT_NOT_FOUND", "No payment for this order.");
    payment_id = row->id;
    if (amount_minor != row->amount_minor) {
      log::Error("capture_amount_mismatch", {{"payment_id", payment_id}});
      return st::Conflict("AMOUNT_MISMATCH", "The captured amount does not match the order.");
    }
    if (domain::CaptureApplied(row->status)) {
      return absl::OkStatus();  // already applied: a duplicate or an older event
    }
    storage::MarkCaptured(tx, payment_id, gateway_payment_id);
    storage::LedgerCaptured(tx, payment_id, amount_minor, row->currency, gateway_payment_id);
    nlohmann::json ev = {{"payment_id", payment_id},
                         {"gateway_payment_id", gateway_payment_id},
                         {"payer_id", row->payer_id},
                         {"appointment_id", row->appointment_id},
                         {"organization_id", row->organization_id},
                         {"amount", {{"amount_minor", amount_minor}, {"currency", row->currency}}}};
    storage::Emit(tx, "payment.captured", payment_id, ev.dump());
    *applied = true;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  log::Debug("capture_recorded", {{"payment_id", payment_id}});
  return Settle(payment_id, request_id);
}

absl::Status PaymentService::Settle(const std::string& payment_id, const std::string& request_id) {
  if (auto inv = IssueDocument(payment_id, ""); !inv.ok()) {
    log::Error("invoice_failed",
               {{"payment_id", payment_id}, {"error", std::string(inv.status().message())}});
  }
  ConfirmAppointment(payment_id, request_id);
  return absl::OkStatus();
}

void PaymentService::ConfirmAppointment(const std::string& payment_id,
                                        const std::string& request_id) {
  std::string appointment_id;
  bool settled = false;
  auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
    if (auto r = storage::SettlementOf(tx, payment_id)) {
      appointment_id = r->appointment_id;
      settled = r->settled;
    }
    return absl::OkStatus();
  });
  if (!s.ok() || appointment_id.empty() || settled) return;
  auto mark_settled = [&] {
    pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) {
      storage::MarkSettled(tx, payment_id);
      return absl::OkStatus();
    }).IgnoreError();
  };
  appointment::v1::ConfirmPaymentResponse resp;
  grpc::Status gs = appointments_.Confirm(appointment_id, payment_id, request_id, &resp);
  if (!gs.ok()) {
    // The capture is recorded; the webhook's retry (or the client's verify) confirms later.
    log::Error("confirm_appointment_failed",
               {{"payment_id", payment_id}, {"code", static_cast<int>(gs.error_code())}});
    return;
  }
  if (resp.outcome() == appointment::v1::CONFIRM_PAYMENT_OUTCOME_NOT_CONFIRMABLE) {
    // Captured after the hold expired (or the appointment was cancelled): give it back.
    log::Warn("capture_not_confirmable",
              {{"payment_id", payment_id}, {"appointment_id", appointment_id}});
    auto r = Refund(payment_id, 0, "captured after the booking hold expired", "system", "",
                    "late-capture:" + payment_id, pg::Subject::System());
    if (!r.ok()) {
      log::Error("late_capture_refund_failed", {{"payment_id", payment_id}});
      return;  // the sweeper tries again (the refund's key makes that safe)
    }
  }
  mark_settled();
}

int PaymentService::CompleteCreatingOnce(int min_age_seconds) {
  std::vector<std::string> ids;
  pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) {
    for (auto& id : storage::StaleCreating(tx, min_age_seconds)) ids.push_back(std::move(id));
    return absl::OkStatus();
  }).IgnoreError();
  int done = 0;
  for (const auto& id : ids) {
    auto order = gateway_->FindOrderByReceipt(id);
    if (!order.ok()) break;  // gateway down: next round
    auto s = order->has_value() ? RecordOrder(id, **order) : ForgetCreating(id);
    if (s.ok()) {
      log::Warn("payment_creation_resumed",
                {{"payment_id", id}, {"outcome", order->has_value() ? "completed" : "dropped"}});
      ++done;
    }
  }
  return done;
}

int PaymentService::SettleCapturedOnce(int min_age_seconds) {
  std::vector<std::string> ids;
  pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) {
    for (auto& id : storage::UnsettledCaptures(tx, min_age_seconds)) ids.push_back(std::move(id));
    return absl::OkStatus();
  }).IgnoreError();
  for (const auto& id : ids) {
    log::Warn("capture_settlement_resumed", {{"payment_id", id}});
    Settle(id, "").IgnoreError();
  }
  return static_cast<int>(ids.size());
}

int PaymentService::SyncPendingOnce(int min_age_seconds) {
  std::vector<std::string> orders;
  pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) {
    for (auto& order : storage::PendingOrders(tx, min_age_seconds))
      orders.push_back(std::move(order));
    return absl::OkStatus();
  }).IgnoreError();
  int applied = 0;
  for (const auto& order : orders) {
    auto payments = gateway_->OrderPayments(order);
    if (!payments.ok()) break;  // gateway down: try again next round
    for (const auto& p : *payments) {
      if (p.status != "captured") continue;
      bool done = false;
      if (ApplyCapture(order, p.id, p.amount_minor, "", &done).ok() && done) {
        log::Info("capture_recovered_by_sync", {{"order_id", order}});
        ++applied;
      }
    }
    // Looked at now: wait min_age_seconds before asking again about this one.
    pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) {
      storage::TouchOrder(tx, order);
      return absl::OkStatus();
    }).IgnoreError();
  }
  return applied;
}

}  // namespace healthtech::payment
