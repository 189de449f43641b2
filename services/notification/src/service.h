#pragma once
// notification-service's gRPC class: the constructor and the caller. Each group of RPCs lives
// in handlers/ (inbox, preferences, deliveries, dev_outbox); the rules they apply are in
// domain/, the SQL they run in storage/ and sql/. Events are turned into messages by
// consumer/, and messages are sent by delivery/.
#include <memory>
#include <string>

#include "config.h"
#include "healthtech/auth/authenticator.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/notification/v1/notification_service.grpc.pb.h"
#include "healthtech/paging/page_token.h"
#include "healthtech/pg/pool.h"
#include "realtime.h"
#include "storage/store.h"

namespace healthtech::notification {

class NotificationService final : public v1::NotificationService::Service {
 public:
  // Prepares the statements of sql/ on `pool` (before anything runs them).
  NotificationService(const Config& config, pg::Pool* pool, std::shared_ptr<grpc::Channel> iam,
                      Realtime* realtime, storage::TimeZones* zones);

  using Ctx = grpc::ServerContext;
  // handlers/inbox.cc
  grpc::Status ListNotifications(Ctx*, const v1::ListNotificationsRequest*,
                                 v1::ListNotificationsResponse*) override;
  grpc::Status MarkRead(Ctx*, const v1::MarkReadRequest*, v1::Notification*) override;
  grpc::Status MarkAllRead(Ctx*, const v1::MarkAllReadRequest*, v1::MarkAllReadResponse*) override;
  // handlers/preferences.cc
  grpc::Status GetPreferences(Ctx*, const v1::GetPreferencesRequest*, v1::Preferences*) override;
  grpc::Status UpdatePreferences(Ctx*, const v1::UpdatePreferencesRequest*,
                                 v1::Preferences*) override;
  // handlers/deliveries.cc (platform admins)
  grpc::Status ListFailedNotifications(Ctx*, const v1::ListFailedNotificationsRequest*,
                                       v1::ListFailedNotificationsResponse*) override;
  grpc::Status RetryNotification(Ctx*, const v1::RetryNotificationRequest*,
                                 v1::OutboundMessage*) override;
  // handlers/dev_outbox.cc (development only)
  grpc::Status ListDevOutbox(Ctx*, const v1::ListDevOutboxRequest*,
                             v1::ListDevOutboxResponse*) override;

 private:
  absl::StatusOr<auth::Claims> Caller(const grpc::ServerContext& ctx);
  // The position a list's page token carries: (µs since the epoch, id); nothing without one.
  absl::StatusOr<std::optional<storage::Position>> PageAfter(std::string_view kind,
                                                             const std::string& token) const;

  const Config& config_;
  pg::Pool* pool_;
  paging::PageTokens page_tokens_;
  auth::Authenticator authn_;
  Realtime* realtime_;
  storage::TimeZones* zones_;
};

}  // namespace healthtech::notification
