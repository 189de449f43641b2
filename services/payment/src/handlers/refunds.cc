// Refunds: by an organization's or the platform's admins (CreateRefund), and by the platform
// itself when a capture comes too late or an appointment is cancelled (appointment events).
#include <chrono>

#include <nlohmann/json.hpp>

#include "handlers/common.h"
#include "handlers/mapping.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::payment {

using grpc_server::RpcScope;
using grpc_server::Serve;
using namespace handlers;
namespace st = status;

void handlers::RecordRefundProcessed(storage::Tx& tx, const std::string& refund_id,
                                     const std::string& payment_id, int64_t amount,
                                     const std::string& currency,
                                     const std::string& gateway_refund_id,
                                     const std::string& initiated_by) {
  storage::LedgerRefunded(tx, payment_id, -amount, currency, gateway_refund_id);
  std::string payer_id = storage::UpdateRefundedStatus(tx, payment_id);
  nlohmann::json ev = {{"refund_id", refund_id},
                       {"payment_id", payment_id},
                       {"payer_id", payer_id},
                       {"amount", {{"amount_minor", amount}, {"currency", currency}}},
                       {"initiated_by", initiated_by}};
  storage::Emit(tx, "refund.processed", refund_id, ev.dump());
}

absl::StatusOr<v1::Refund> PaymentService::Refund(const std::string& payment_id,
                                                  int64_t amount_minor, const std::string& reason,
                                                  const std::string& initiated_by,
                                                  const std::string& user_id,
                                                  const std::string& key,
                                                  const pg::Subject& subject) {
  std::string request_hash = domain::RefundRequestHash(payment_id, amount_minor, reason);
  std::string refund_id, gateway_payment_id, currency;
  int64_t amount = amount_minor;
  bool replay = false;
  auto s = pg::WithTransaction(*pool_, subject, [&](storage::Tx& tx) -> absl::Status {
    // Serialize refunds of one payment: the total can never pass the captured amount.
    auto payment = storage::LockForRefund(tx, payment_id);
    if (!payment) return domain::PaymentNotFound();
    if (!key.empty()) {
      if (auto prior = storage::RefundByKey(tx, payment_id, key)) {
        if (prior->request_hash != request_hash) {
          return st::Conflict("IDEMPOTENCY_KEY_REUSED",
                              "This Idempotency-Key was used for a different refund.");
        }
        refund_id = prior->id;
        replay = true;
        return absl::OkStatus();
      }
    }
    if (auto r = domain::CheckRefundable(payment->status); !r.ok()) return r;
    int64_t captured = payment->amount_minor;
    currency = payment->currency;
    gateway_payment_id = payment->gateway_payment_id;
    int64_t already = storage::RefundedTotal(tx, payment_id);
    auto allowed = domain::RefundAmount(amount, captured, already);
    if (!allowed.ok()) return allowed.status();
    amount = *allowed;
    storage::NewRefund row;
    row.payment_id = payment_id;
    row.amount_minor = amount;
    row.currency = currency;
    row.reason = reason;
    row.initiated_by = initiated_by;
    row.user_id = user_id;
    row.idempotency_key = key;
    row.request_hash = request_hash;
    refund_id = storage::InsertRefund(tx, row);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!replay) {
    auto g = gateway_->CreateRefund(gateway_payment_id, amount);
    auto u =
        pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
          if (!g.ok()) {
            storage::MarkRefundFailed(tx, refund_id);
            return absl::OkStatus();
          }
          storage::RecordGatewayRefund(tx, refund_id, g->first, g->second);
          if (g->second == "processed") {
            RecordRefundProcessed(tx, refund_id, payment_id, amount, currency, g->first,
                                  initiated_by);
          }
          return absl::OkStatus();
        });
    if (!u.ok()) return u;
    if (!g.ok()) return g.status();
    if (g->second == "processed") {
      if (auto cn = IssueDocument(payment_id, refund_id); !cn.ok()) {
        log::Error("credit_note_failed",
                   {{"refund_id", refund_id}, {"error", std::string(cn.status().message())}});
      }
    }
  }
  v1::Refund out;
  auto rd =
      pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
        auto row = storage::FindRefund(tx, refund_id);
        if (!row) return domain::PaymentNotFound();
        ToProto(*row, &out);
        return absl::OkStatus();
      });
  if (!rd.ok()) return rd;
  return out;
}

grpc::Status PaymentService::CreateRefund(Ctx* ctx, const v1::CreateRefundRequest* req,
                                          v1::Refund* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!validate::ValidUuid(req->payment_id())) return domain::PaymentNotFound();
    std::string key = req->idempotency_key().empty()
                          ? grpc_server::Metadata(*ctx, "idempotency-key")
                          : req->idempotency_key();
    if (req->has_amount() && req->amount().amount_minor() <= 0) {
      return st::ValidationFailed({{"amount.amount_minor", "must be positive"}});
    }
    if (validate::CodePoints(req->reason()) > 500) {
      return st::ValidationFailed({{"reason", "must be at most 500 characters"}});
    }
    // Who: platform admins, or admins of the selling organization.
    std::string org_id;
    auto s = pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      auto org = storage::OrganizationOf(tx, req->payment_id());
      if (!org) return domain::PaymentNotFound();
      org_id = *org;
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    bool platform = caller->HasRole("platform_admin");
    if (!platform && !caller->HasRole("org_admin:" + org_id)) {
      return st::PermissionDenied("FORBIDDEN",
                                  "Only the organization's admins or platform admins refund.");
    }
    auto r = Refund(req->payment_id(), req->has_amount() ? req->amount().amount_minor() : 0,
                    req->reason(), platform ? "platform_admin" : "org_admin", caller->sub, key,
                    pg::Subject::System());
    if (!r.ok()) return r.status();
    *resp = *r;
    return absl::OkStatus();
  });
}

absl::Status PaymentService::HandleAppointmentEvent(const events::Event& e) {
  const std::string& id = e.id;
  const std::string& type = e.type;
  if (type != "appointment.cancelled" || id.empty()) return absl::OkStatus();
  auto j = nlohmann::json::parse(e.payload, nullptr, false);
  bool first_time = false;
  auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
    first_time = storage::ConsumeEvent(tx, id, type);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  // Cancellation policy (domain::FullRefundOnCancellation).
  bool full = j.is_object() && domain::FullRefundOnCancellation(j.value("cancelled_by_role", ""),
                                                                j.value("before_cutoff", false));
  int percent = full ? 100 : 0;
  if (first_time && !full && j.is_object()) {
    if (auto org = directory_.Organization(j.value("organization_id", "")); org.ok())
      percent = org->late_cancellation_refund_percent();
  }
  if (!first_time || percent <= 0) return absl::OkStatus();
  std::string payment_id;
  pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) {
    if (auto p = storage::CapturedPaymentOf(tx, j.value("appointment_id", ""))) payment_id = *p;
    return absl::OkStatus();
  }).IgnoreError();
  int64_t amount = 0;  // 0 = everything that remains
  if (!payment_id.empty() && percent < 100) {
    pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) {
      if (auto a = storage::AmountOf(tx, payment_id)) amount = domain::PercentOf(*a, percent);
      return absl::OkStatus();
    }).IgnoreError();
  }
  if (!payment_id.empty() && (percent == 100 || amount > 0)) {
    auto rf = Refund(payment_id, amount, domain::CancellationRefundReason(percent), "system", "",
                     "cancel:" + id, pg::Subject::System());
    if (!rf.ok() && rf.status().code() == absl::StatusCode::kUnavailable) {
      // Retry later: forget we consumed it and leave the entry unacknowledged.
      pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) {
        storage::ForgetEvent(tx, id);
        return absl::OkStatus();
      }).IgnoreError();
      return rf.status();
    }
  }
  return absl::OkStatus();
}

}  // namespace healthtech::payment
