// Failed deliveries, for platform admins: list them, retry one.
#include "handlers/mapping.h"
#include "healthtech/log/log.h"
#include "healthtech/paging/page_token.h"
#include "healthtech/status/status.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::notification {

using grpc_server::RpcScope;
using grpc_server::Serve;
namespace st = status;

grpc::Status NotificationService::ListFailedNotifications(
    Ctx* ctx, const v1::ListFailedNotificationsRequest* req,
    v1::ListFailedNotificationsResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->HasRole("platform_admin"))
      return st::PermissionDenied("FORBIDDEN", "Only platform admins see failed deliveries.");
    int limit = paging::Limit(req->limit(), 50, 200);
    // Page token: the last item's updated_at (microseconds since the epoch) and id.
    auto after = PageAfter("failed-deliveries", req->page_token());
    if (!after.ok()) return after.status();
    std::string channel = handlers::ChannelText(req->channel());
    return pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
      auto rows = storage::ListFailed(tx, channel, *after, limit + 1);
      for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i)
        handlers::ToProto(rows[i], storage::Attempts(tx, rows[i].id), resp->add_items());
      if (static_cast<int>(rows.size()) > limit) {
        const auto& last = rows[limit - 1];
        resp->set_next_page_token(
            page_tokens_.Encode("failed-deliveries", {std::to_string(last.updated_us), last.id}));
      }
      return absl::OkStatus();
    });
  });
}

grpc::Status NotificationService::RetryNotification(Ctx* ctx,
                                                    const v1::RetryNotificationRequest* req,
                                                    v1::OutboundMessage* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->HasRole("platform_admin"))
      return st::PermissionDenied("FORBIDDEN", "Only platform admins retry deliveries.");
    const absl::Status not_found = st::NotFound("DELIVERY_NOT_FOUND", "No such delivery.");
    if (!validate::ValidUuid(req->id())) return not_found;
    return pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
      auto d = storage::Retry(tx, req->id());
      if (!d) {
        auto status = storage::StatusOf(tx, req->id());
        if (!status) return not_found;
        return st::Conflict("DELIVERY_NOT_FAILED",
                            "Only failed deliveries can be retried; this one is " + *status + ".");
      }
      log::Info(
          "delivery_retry_requested",
          {{"delivery_id", req->id()}, {"by", caller->sub}, {"request_id", scope.request_id()}});
      handlers::ToProto(*d, storage::Attempts(tx, d->id), resp);
      return absl::OkStatus();
    });
  });
}

}  // namespace healthtech::notification
