#include "clients/gateway.h"

#include <chrono>
#include <optional>
#include <thread>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include "healthtech/crypto/hash.h"
#include "healthtech/log/log.h"
#include "healthtech/status/status.h"
#include "healthtech/trace/trace.h"

namespace healthtech::payment {
namespace {

using crypto::ConstantTimeEquals;
using crypto::HmacSha256Hex;

[[maybe_unused]] const bool kCurlReady = [] {
  return curl_global_init(CURL_GLOBAL_DEFAULT) == 0;
}();

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

absl::Status Down() {
  return status::Unavailable("GATEWAY_UNAVAILABLE",
                             "The payment gateway is unavailable; try again shortly.");
}

}  // namespace

RazorpayGateway::RazorpayGateway(std::string base_url, std::string key_id, std::string key_secret,
                                 std::string webhook_secret, std::string checkout_base_url)
    : base_url_(std::move(base_url)),
      key_id_(std::move(key_id)),
      key_secret_(std::move(key_secret)),
      webhook_secret_(std::move(webhook_secret)),
      checkout_base_url_(std::move(checkout_base_url)) {}

std::string RazorpayGateway::CheckoutUrl(const std::string& order_id) const {
  return checkout_base_url_ + "/checkout/" + order_id;
}

absl::StatusOr<std::string> RazorpayGateway::Call(const std::string& method,
                                                  const std::string& path, const std::string& body,
                                                  int retries) {
  if (NowMs() < open_until_ms_.load()) return Down();  // circuit open: fail fast
  for (int attempt = 0;; ++attempt) {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return Down();
    std::string response;
    std::string url = base_url_ + path;
    std::string auth = key_id_ + ":" + key_secret_;
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, auth.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
    if (method == "POST") {
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    auto started = std::chrono::steady_clock::now();
    // A client span per attempt in a traced request; the gateway is a third party, so no
    // trace context goes to it.
    std::optional<trace::Span> span;
    if (trace::Current().valid()) {
      span.emplace(method + " payment gateway", trace::Kind::kClient);
      span->Set("http.request.method", method);
      span->Set("url.path", path.substr(0, path.find('?')));
      span->Set("http.request.resend_count", attempt);
    }
    CURLcode rc = curl_easy_perform(curl);
    log::Debug("gateway_call", {{"path", path},
                                {"curl", curl_easy_strerror(rc)},
                                {"ms", std::chrono::duration<double, std::milli>(
                                           std::chrono::steady_clock::now() - started)
                                           .count()}});
    long http = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http);
    if (span) {
      span->Set("http.response.status_code", static_cast<int64_t>(http));
      if (rc != CURLE_OK || http >= 400)
        span->Error(rc != CURLE_OK ? curl_easy_strerror(rc) : "HTTP error");
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (rc == CURLE_OK && http >= 200 && http < 300) {
      consecutive_failures_ = 0;
      return response;
    }
    if (rc == CURLE_OK && http >= 400 && http < 500) {
      log::Warn("gateway_rejected", {{"path", path}, {"http_status", http}});
      return status::Conflict("GATEWAY_REJECTED", "The payment gateway refused the request.");
    }
    log::Warn("gateway_failed",
              {{"path", path}, {"curl", curl_easy_strerror(rc)}, {"http_status", http}});
    if (++consecutive_failures_ >= 5) open_until_ms_ = NowMs() + 10000;  // open for 10 s
    if (attempt >= retries) return Down();
    std::this_thread::sleep_for(std::chrono::milliseconds(100 * (1 << attempt)));
  }
}

absl::StatusOr<GatewayOrder> RazorpayGateway::CreateOrder(int64_t amount_minor,
                                                          const std::string& currency,
                                                          const std::string& receipt) {
  nlohmann::json body = {{"amount", amount_minor}, {"currency", currency}, {"receipt", receipt}};
  // Not retried: a lost answer could mean a second order. The caller's row in
  // state 'creating' prevents a second attempt from another request.
  auto r = Call("POST", "/v1/orders", body.dump(), 0);
  if (!r.ok()) return r.status();
  auto j = nlohmann::json::parse(*r, nullptr, false);
  if (!j.is_object() || !j.contains("id")) return Down();
  return GatewayOrder{j["id"].get<std::string>(), j.value("amount", int64_t{0}),
                      j.value("currency", ""), j.value("status", "")};
}

absl::StatusOr<GatewayPayment> RazorpayGateway::GetPayment(const std::string& payment_id) {
  for (char c : payment_id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
      return status::InvalidArgument("VALIDATION_FAILED", "Bad payment id.",
                                     {{"gateway_payment_id", "is not a gateway payment id"}});
    }
  }
  auto r = Call("GET", "/v1/payments/" + payment_id, "", 2);
  if (!r.ok()) return r.status();
  auto j = nlohmann::json::parse(*r, nullptr, false);
  if (!j.is_object() || !j.contains("id")) return Down();
  return GatewayPayment{j["id"].get<std::string>(), j.value("order_id", ""),
                        j.value("amount", int64_t{0}), j.value("currency", ""),
                        j.value("status", "")};
}

absl::StatusOr<std::pair<std::string, std::string>> RazorpayGateway::CreateRefund(
    const std::string& payment_id, int64_t amount_minor) {
  for (char c : payment_id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return Down();
  }
  nlohmann::json body = {{"amount", amount_minor}};
  auto r = Call("POST", "/v1/payments/" + payment_id + "/refund", body.dump(), 0);  // never retried
  if (!r.ok()) return r.status();
  auto j = nlohmann::json::parse(*r, nullptr, false);
  if (!j.is_object() || !j.contains("id")) return Down();
  return std::make_pair(j["id"].get<std::string>(), j.value("status", "pending"));
}

absl::StatusOr<std::optional<GatewayOrder>> RazorpayGateway::FindOrderByReceipt(
    const std::string& receipt) {
  for (char c : receipt) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return Down();
  }
  // Razorpay: GET /v1/orders?receipt=<receipt> → {"entity":"collection","items":[...]}.
  auto r = Call("GET", "/v1/orders?receipt=" + receipt, "", 2);
  if (!r.ok()) return r.status();
  auto j = nlohmann::json::parse(*r, nullptr, false);
  if (!j.is_object() || !j.contains("items") || !j["items"].is_array()) return Down();
  for (const auto& o : j["items"]) {
    if (o.is_object() && o.value("receipt", "") == receipt && o.contains("id")) {
      return std::optional<GatewayOrder>(
          GatewayOrder{o.value("id", ""), o.value("amount", int64_t{0}), o.value("currency", ""),
                       o.value("status", "")});
    }
  }
  return std::optional<GatewayOrder>();
}

absl::StatusOr<std::vector<GatewayPayment>> RazorpayGateway::OrderPayments(
    const std::string& order_id) {
  for (char c : order_id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return Down();
  }
  auto r = Call("GET", "/v1/orders/" + order_id + "/payments", "", 2);
  if (!r.ok()) return r.status();
  auto j = nlohmann::json::parse(*r, nullptr, false);
  if (!j.is_object() || !j.contains("items")) return Down();
  std::vector<GatewayPayment> out;
  for (const auto& p : j["items"]) {
    out.push_back(GatewayPayment{p.value("id", ""), p.value("order_id", ""),
                                 p.value("amount", int64_t{0}), p.value("currency", ""),
                                 p.value("status", ""), p.value("amount_refunded", int64_t{0})});
  }
  return out;
}

bool RazorpayGateway::VerifyCheckoutSignature(const std::string& order_id,
                                              const std::string& payment_id,
                                              const std::string& signature) const {
  return ConstantTimeEquals(HmacSha256Hex(key_secret_, order_id + "|" + payment_id), signature);
}

bool RazorpayGateway::VerifyWebhookSignature(const std::string& raw_body,
                                             const std::string& signature) const {
  return !signature.empty() &&
         ConstantTimeEquals(HmacSha256Hex(webhook_secret_, raw_body), signature);
}

}  // namespace healthtech::payment
