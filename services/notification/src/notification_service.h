#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "healthtech/auth/authenticator.h"
#include "healthtech/iam/v1/iam_service.grpc.pb.h"
#include "healthtech/notification/v1/notification_service.grpc.pb.h"
#include "healthtech/pg/pool.h"
#include "healthtech/redis/redis.h"

namespace healthtech::notification {

struct Config {
  std::string internal_token, jwt_issuer, jwt_audience;
  std::string smtp_url, smtp_from, smtp_starttls;  // starttls: "try" or "required"
  std::string public_web_url;
};

// Consumes the platform's events (Redis consumer groups, acknowledged only after the
// notifications are stored), keeps each user's in-app inbox, and delivers email over
// SMTP with retries. Each event produces its messages once.
class NotificationServiceImpl final : public v1::NotificationService::Service {
 public:
  NotificationServiceImpl(Config config, pg::Pool* pool, std::shared_ptr<grpc::Channel> iam);

  using Ctx = grpc::ServerContext;
  grpc::Status ListNotifications(Ctx*, const v1::ListNotificationsRequest*,
                                 v1::ListNotificationsResponse*) override;
  grpc::Status MarkRead(Ctx*, const v1::MarkReadRequest*, v1::Notification*) override;
  grpc::Status MarkAllRead(Ctx*, const v1::MarkAllReadRequest*, v1::MarkAllReadResponse*) override;

  // One round over every stream; returns the number of entries handled. Entries another
  // consumer left unacknowledged for claim_idle_ms (it crashed) are claimed first.
  int ConsumeOnce(redis::Client& redis, const std::string& consumer, int claim_idle_ms = 60000);
  // Sends due email deliveries; returns how many were attempted.
  int DeliverOnce();

 private:
  // (user id, JSON frame) to publish once the transaction has committed.
  using Publication = std::pair<std::string, std::string>;
  absl::Status Handle(const std::string& event_id, const std::string& type,
                      const std::string& payload, std::vector<Publication>* publish);
  static void Publish(redis::Client& redis, const std::string& user_id, const std::string& message);

  Config config_;
  pg::Pool* pool_;
  auth::Authenticator authn_;
  std::unique_ptr<iam::v1::IamService::Stub> iam_;
};

}  // namespace healthtech::notification
