#pragma once
// The payment gateway behind one interface (a Stripe-style adapter can implement it
// later), and a Razorpay-style HTTPS+JSON implementation over libcurl: basic auth with
// the key id and secret, 5 s timeouts, bounded retries with backoff for idempotent reads,
// and a circuit breaker that fails fast after repeated failures.
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <absl/status/statusor.h>

namespace healthtech::payment {

struct GatewayOrder {
  std::string id;
  int64_t amount_minor = 0;
  std::string currency;
  std::string status;
};

struct GatewayPayment {
  std::string id;
  std::string order_id;
  int64_t amount_minor = 0;
  std::string currency;
  std::string status;  // created | authorized | captured | failed | refunded
  int64_t amount_refunded = 0;
};

class Gateway {
 public:
  virtual ~Gateway() = default;
  virtual std::string name() const = 0;
  virtual std::string key_id() const = 0;
  virtual std::string CheckoutUrl(const std::string& order_id) const = 0;
  virtual absl::StatusOr<GatewayOrder> CreateOrder(int64_t amount_minor,
                                                   const std::string& currency,
                                                   const std::string& receipt) = 0;
  virtual absl::StatusOr<GatewayPayment> GetPayment(const std::string& payment_id) = 0;
  // The order made with this receipt (our payment id), if any: how a payment whose order
  // was made but never recorded (a crash in between) is completed.
  virtual absl::StatusOr<std::optional<GatewayOrder>> FindOrderByReceipt(
      const std::string& receipt) = 0;
  // Every payment attempt of an order (for reconciliation).
  virtual absl::StatusOr<std::vector<GatewayPayment>> OrderPayments(
      const std::string& order_id) = 0;
  // Refunds part or all of a captured payment; returns the gateway's refund id and status.
  virtual absl::StatusOr<std::pair<std::string, std::string>> CreateRefund(
      const std::string& payment_id, int64_t amount_minor) = 0;
  // Checkout signature: HMAC-SHA256("<order_id>|<payment_id>", key secret), hex.
  virtual bool VerifyCheckoutSignature(const std::string& order_id, const std::string& payment_id,
                                       const std::string& signature) const = 0;
  // Webhook signature: HMAC-SHA256(raw body, webhook secret), hex.
  virtual bool VerifyWebhookSignature(const std::string& raw_body,
                                      const std::string& signature) const = 0;
};

class RazorpayGateway final : public Gateway {
 public:
  RazorpayGateway(std::string base_url, std::string key_id, std::string key_secret,
                  std::string webhook_secret, std::string checkout_base_url);
  std::string name() const override { return "razorpay"; }
  std::string key_id() const override { return key_id_; }
  std::string CheckoutUrl(const std::string& order_id) const override;
  absl::StatusOr<GatewayOrder> CreateOrder(int64_t amount_minor, const std::string& currency,
                                           const std::string& receipt) override;
  absl::StatusOr<GatewayPayment> GetPayment(const std::string& payment_id) override;
  absl::StatusOr<std::optional<GatewayOrder>> FindOrderByReceipt(
      const std::string& receipt) override;
  absl::StatusOr<std::pair<std::string, std::string>> CreateRefund(const std::string& payment_id,
                                                                   int64_t amount_minor) override;
  absl::StatusOr<std::vector<GatewayPayment>> OrderPayments(const std::string& order_id) override;
  bool VerifyCheckoutSignature(const std::string& order_id, const std::string& payment_id,
                               const std::string& signature) const override;
  bool VerifyWebhookSignature(const std::string& raw_body,
                              const std::string& signature) const override;

 private:
  // method + path, JSON body ("" for GET). `retries` only for idempotent calls.
  absl::StatusOr<std::string> Call(const std::string& method, const std::string& path,
                                   const std::string& body, int retries);
  std::string base_url_, key_id_, key_secret_, webhook_secret_, checkout_base_url_;
  std::atomic<int> consecutive_failures_{0};
  std::atomic<int64_t> open_until_ms_{0};
};

}  // namespace healthtech::payment
