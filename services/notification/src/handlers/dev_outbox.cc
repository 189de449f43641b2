// What the development SMTP and SMS sinks received (GET /v1/dev/outbox), in development only.
#include <cctype>
#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "channels.h"
#include "healthtech/status/status.h"
#include "service.h"

namespace healthtech::notification {

using grpc_server::RpcScope;
using grpc_server::Serve;
namespace st = status;

grpc::Status NotificationService::ListDevOutbox(Ctx* ctx, const v1::ListDevOutboxRequest* req,
                                                v1::ListDevOutboxResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    if (!config_.development) return st::NotFound("NOT_FOUND", "Not found.");
    std::string to = req->to();
    while (!to.empty() && std::isspace(static_cast<unsigned char>(to.back()))) to.pop_back();
    while (!to.empty() && std::isspace(static_cast<unsigned char>(to.front()))) to.erase(0, 1);
    if (to.empty()) return st::ValidationFailed({{"to", "is required"}});
    if (req->wait() < 0 || req->wait() > 8)
      return st::ValidationFailed({{"wait", "must be between 0 and 8 seconds"}});
    bool is_email = to.find('@') != std::string::npos;
    if (is_email) {
      for (auto& c : to) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::string sink = is_email ? config_.smtp_sink_url : config_.sms_sink_url;
    if (sink.empty()) return absl::OkStatus();
    // Long-poll: ask the sink every 100 ms until a message is there or `wait` has passed.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(req->wait());
    nlohmann::json got;
    for (;;) {
      got = nlohmann::json::parse(HttpGet(sink + "/messages", {{"to", to}}), nullptr, false);
      if (!got.is_object() || !got.contains("items") || !got["items"].is_array())
        return st::Unavailable("SINK_UNAVAILABLE", "The development sink did not answer.");
      if (!got["items"].empty() || std::chrono::steady_clock::now() >= deadline ||
          ctx->IsCancelled())
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (const auto& m : got["items"]) {
      auto* out = resp->add_items();
      out->set_channel(is_email ? "email" : "sms");
      out->set_to(to);
      out->set_subject(is_email ? m.value("subject", "") : "");
      out->set_body(is_email ? m.value("body", "") : m.value("text", ""));
      out->mutable_created_at()->set_seconds(static_cast<int64_t>(m.value("received_at", 0.0)));
    }
    return absl::OkStatus();
  });
}

}  // namespace healthtech::notification
