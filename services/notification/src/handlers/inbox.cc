// The in-app inbox: list, mark one read, mark all read.
#include "handlers/mapping.h"
#include "healthtech/paging/page_token.h"
#include "healthtech/status/status.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::notification {

using grpc_server::RpcScope;
using grpc_server::Serve;
namespace st = status;

grpc::Status NotificationService::ListNotifications(Ctx* ctx,
                                                    const v1::ListNotificationsRequest* req,
                                                    v1::ListNotificationsResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    int limit = paging::Limit(req->limit());
    // Page token: the last item's created_at (microseconds since the epoch) and id.
    auto after = PageAfter("notifications", req->page_token());
    if (!after.ok()) return after.status();
    return pg::WithTransaction(*pool_, {caller->sub, ""}, [&](storage::Tx& tx) -> absl::Status {
      auto rows =
          storage::ListNotifications(tx, caller->sub, req->unread_only(), *after, limit + 1);
      for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i)
        handlers::ToProto(rows[i], resp->add_items());
      if (static_cast<int>(rows.size()) > limit) {
        const auto& last = rows[limit - 1];
        resp->set_next_page_token(
            page_tokens_.Encode("notifications", {std::to_string(last.created_us), last.id}));
      }
      resp->set_unread_count(storage::UnreadCount(tx, caller->sub));
      return absl::OkStatus();
    });
  });
}

grpc::Status NotificationService::MarkRead(Ctx* ctx, const v1::MarkReadRequest* req,
                                           v1::Notification* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    const absl::Status not_found = st::NotFound("NOTIFICATION_NOT_FOUND", "No such notification.");
    if (!validate::ValidUuid(req->id())) return not_found;
    int unread = -1;
    auto s = pg::WithTransaction(*pool_, {caller->sub, ""}, [&](storage::Tx& tx) -> absl::Status {
      auto n = storage::MarkRead(tx, req->id(), caller->sub);
      if (!n) return not_found;
      handlers::ToProto(*n, resp);
      unread = storage::UnreadCount(tx, caller->sub);
      return absl::OkStatus();
    });
    if (s.ok()) realtime_->PublishUnreadCount(caller->sub, unread);  // other tabs update
    return s;
  });
}

grpc::Status NotificationService::MarkAllRead(Ctx* ctx, const v1::MarkAllReadRequest*,
                                              v1::MarkAllReadResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    auto s = pg::WithTransaction(*pool_, {caller->sub, ""}, [&](storage::Tx& tx) -> absl::Status {
      resp->set_marked_count(storage::MarkAllRead(tx, caller->sub));
      resp->set_unread_count(0);
      return absl::OkStatus();
    });
    if (s.ok() && resp->marked_count() > 0) realtime_->PublishUnreadCount(caller->sub, 0);
    return s;
  });
}

}  // namespace healthtech::notification
