#pragma once
// Delivery channels behind one interface, each speaking a real protocol:
//   email  SMTP (libcurl; STARTTLS when offered, or required), text + escaped HTML parts
//   sms    an MSG91/Twilio-style HTTP JSON API with an API key header and DLT template ids
//   push   Web Push (VAPID) is not implemented yet; the interface is ready for it.
// Send() returns the provider's message id, or a status whose code says what to do:
// UNAVAILABLE = transient (retry with backoff), anything else = permanent (fail now).
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <absl/status/statusor.h>

namespace healthtech::notification {

struct OutgoingMessage {
  std::string to;  // email address or E.164 number
  std::string subject;
  std::string text;
  std::string html;             // email only; may be empty
  std::string dlt_template_id;  // SMS only
};

class Channel {
 public:
  virtual ~Channel() = default;
  virtual std::string provider() const = 0;
  virtual absl::StatusOr<std::string> Send(const OutgoingMessage& m) = 0;
};

struct SmtpConfig {
  std::string url;  // smtp://host:port or smtps://host:port
  std::string from;
  std::string starttls = "try";  // "try" or "required"
  std::string username, password;
};
std::unique_ptr<Channel> MakeSmtpChannel(SmtpConfig config);

struct SmsConfig {
  std::string api_url;  // POST {api_url}/v1/messages
  std::string api_key;  // sent as the "authkey" header
  std::string sender_id = "HLTHTK";
  std::string provider = "msg91";
};
std::unique_ptr<Channel> MakeSmsChannel(SmsConfig config);

// GET url?name=value&… (values escaped); the body, or "" on any failure. Development sinks.
std::string HttpGet(const std::string& url,
                    const std::vector<std::pair<std::string, std::string>>& query);

// Opens after `threshold` consecutive failures and stays open for `open_for`; then lets one
// trial through (half-open): success closes it, failure opens it again.
class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  CircuitBreaker(int threshold, std::chrono::milliseconds open_for)
      : threshold_(threshold), open_for_(open_for) {}
  // May a call go through now?
  bool Allow(Clock::time_point now = Clock::now());
  void Record(bool ok, Clock::time_point now = Clock::now());
  bool open(Clock::time_point now = Clock::now()) const;

 private:
  mutable std::mutex mu_;
  int threshold_;
  std::chrono::milliseconds open_for_;
  int failures_ = 0;
  Clock::time_point open_until_{};
  bool trial_in_flight_ = false;
};

}  // namespace healthtech::notification
