#pragma once
// Real time for the BFF's WebSocket sessions: what changes in a user's inbox is published on
// healthtech:notify:user:{id}. Best effort: the inbox is the record; a missed frame is caught
// up by the client's refetch.
#include <string>

#include <nlohmann/json.hpp>

#include "healthtech/redis/redis.h"

namespace healthtech::notification {

class Realtime {
 public:
  explicit Realtime(redis::Client* publisher) : publisher_(publisher) {}

  void Publish(const std::string& user_id, const std::string& message) {
    if (publisher_ != nullptr)
      (void)publisher_->Command({"PUBLISH", "healthtech:notify:user:" + user_id, message});
  }
  // Other tabs update their badge.
  void PublishUnreadCount(const std::string& user_id, int unread) {
    Publish(user_id, nlohmann::json{{"type", "unread_count"}, {"unread_count", unread}}.dump());
  }

 private:
  redis::Client* publisher_;
};

}  // namespace healthtech::notification
