// The gateway's webhooks: each event is applied once (payment.captured, payment.failed,
// refund.processed); a duplicate changes nothing.
#include <nlohmann/json.hpp>

#include "handlers/common.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "service.h"

namespace healthtech::payment {

using grpc_server::RpcScope;
using grpc_server::Serve;
using namespace handlers;
namespace st = status;

grpc::Status PaymentService::HandleGatewayWebhook(Ctx* ctx,
                                                  const v1::HandleGatewayWebhookRequest* req,
                                                  v1::HandleGatewayWebhookResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    if (req->gateway() != gateway_->name()) {
      return st::NotFound("GATEWAY_NOT_FOUND", "No such payment gateway.");
    }
    if (!gateway_->VerifyWebhookSignature(req->raw_body(), req->signature())) {
      return st::Unauthenticated("WEBHOOK_SIGNATURE_INVALID",
                                 "The webhook signature is missing or wrong.");
    }
    auto j = nlohmann::json::parse(req->raw_body(), nullptr, false);
    if (!j.is_object() || !j.contains("id") || !j.contains("event")) {
      return st::InvalidArgument("VALIDATION_FAILED", "Not a gateway event.", {});
    }
    std::string event_id = j["id"].get<std::string>(), type = j["event"].get<std::string>();
    resp->set_event_id(event_id);
    nlohmann::json entity = j.contains("payload") && j["payload"].contains("payment")
                                ? j["payload"]["payment"].value("entity", nlohmann::json::object())
                                : nlohmann::json::object();
    std::string order_id = entity.value("order_id", ""),
                gateway_payment_id = entity.value("id", "");
    bool seen = false;
    auto s =
        pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
          // A duplicate is an event processed before; one whose processing was cut short (a
          // crash) is applied again: every step below is idempotent.
          storage::RecordWebhook(tx, event_id, req->gateway(), type, gateway_payment_id);
          seen = storage::WebhookProcessed(tx, event_id);
          return absl::OkStatus();
        });
    if (!s.ok()) return s;
    if (seen) {
      resp->set_applied(false);  // the same event twice changes state once
      return absl::OkStatus();
    }
    bool applied = false;
    // If applying fails, forget the event so that the gateway's retry applies it.
    auto forget = [&] {
      pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) {
        storage::ForgetWebhook(tx, event_id);
        return absl::OkStatus();
      }).IgnoreError();
    };
    if (type == "payment.captured" && !order_id.empty()) {
      if (auto a = ApplyCapture(order_id, gateway_payment_id, entity.value("amount", int64_t{0}),
                                scope.request_id(), &applied);
          !a.ok() && a.code() != absl::StatusCode::kNotFound) {
        forget();
        return a;
      }
    } else if (type == "refund.processed") {
      nlohmann::json refund = j["payload"].contains("refund")
                                  ? j["payload"]["refund"].value("entity", nlohmann::json::object())
                                  : nlohmann::json::object();
      std::string settled_refund, settled_payment;
      auto f =
          pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
            auto r = storage::ProcessByGatewayId(tx, refund.value("id", ""));
            applied = r.has_value();
            if (applied) {
              settled_refund = r->id;
              settled_payment = r->payment_id;
              RecordRefundProcessed(tx, settled_refund, settled_payment, r->amount_minor,
                                    r->currency, refund.value("id", ""), r->initiated_by);
            }
            return absl::OkStatus();
          });
      if (!f.ok()) {
        forget();
        return f;
      }
      if (!settled_refund.empty()) {
        if (auto cn = IssueDocument(settled_payment, settled_refund); !cn.ok()) {
          log::Error("credit_note_failed", {{"refund_id", settled_refund},
                                            {"error", std::string(cn.status().message())}});
        }
      }
    } else if (type == "payment.failed" && !order_id.empty()) {
      auto f =
          pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
            // An older failure never overwrites a capture.
            auto id =
                storage::MarkFailed(tx, order_id, entity.value("error_description", "declined"));
            applied = id.has_value();
            if (applied) {
              nlohmann::json ev = {{"payment_id", *id}, {"gateway_payment_id", gateway_payment_id}};
              storage::Emit(tx, "payment.failed", *id, ev.dump());
            }
            return absl::OkStatus();
          });
      if (!f.ok()) {
        forget();
        return f;
      }
    }
    pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) {
      storage::WebhookDone(tx, event_id, applied);
      return absl::OkStatus();
    }).IgnoreError();
    resp->set_applied(applied);
    return absl::OkStatus();
  });
}

}  // namespace healthtech::payment
