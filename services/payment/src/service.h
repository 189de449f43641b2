#pragma once
// payment-service's gRPC class: the constructor, the caller. Each group of RPCs lives in
// handlers/ (payments, capture, webhooks, refunds, invoices, reconcile); the rules they apply
// are in domain/, the SQL they run in storage/ and sql/, the calls out in clients/.
//
// Payments for appointments. Amounts come from the appointment (its practitioner's fee
// at booking), never from the client; one open payment per appointment is enforced by a
// unique index; every money movement is an append-only ledger row; a capture, by webhook
// or by the client's verified checkout signature, confirms the appointment exactly once.
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "clients/appointments.h"
#include "clients/directory.h"
#include "clients/gateway.h"
#include "config.h"
#include "healthtech/auth/authenticator.h"
#include "healthtech/events/consumer.h"
#include "healthtech/paging/page_token.h"
#include "healthtech/payment/v1/payment_service.grpc.pb.h"
#include "healthtech/pg/pool.h"
#include "healthtech/redis/redis.h"

namespace healthtech::payment {

class PaymentService final : public v1::PaymentService::Service {
 public:
  PaymentService(const Config& config, pg::Pool* pool, Gateway* gateway,
                 std::shared_ptr<grpc::Channel> iam, std::shared_ptr<grpc::Channel> appointments,
                 std::shared_ptr<grpc::Channel> orgs);
  ~PaymentService() override;

  using Ctx = grpc::ServerContext;
  // handlers/payments.cc
  grpc::Status CreatePayment(Ctx*, const v1::CreatePaymentRequest*,
                             v1::CreatePaymentResponse*) override;
  grpc::Status GetPayment(Ctx*, const v1::GetPaymentRequest*, v1::Payment*) override;
  grpc::Status ListPayments(Ctx*, const v1::ListPaymentsRequest*,
                            v1::ListPaymentsResponse*) override;
  grpc::Status VerifyPayment(Ctx*, const v1::VerifyPaymentRequest*, v1::Payment*) override;
  // handlers/webhooks.cc
  grpc::Status HandleGatewayWebhook(Ctx*, const v1::HandleGatewayWebhookRequest*,
                                    v1::HandleGatewayWebhookResponse*) override;
  // handlers/refunds.cc
  grpc::Status CreateRefund(Ctx*, const v1::CreateRefundRequest*, v1::Refund*) override;
  // handlers/invoices.cc
  grpc::Status GetInvoice(Ctx*, const v1::GetInvoiceRequest*, v1::Invoice*) override;
  grpc::Status GetInvoicePdf(Ctx*, const v1::GetInvoicePdfRequest*,
                             v1::GetInvoicePdfResponse*) override;

  // Issues the invoice of a captured payment (or the credit note of a processed refund)
  // once; a later call returns the existing one. (handlers/invoices.cc)
  absl::StatusOr<std::string> IssueDocument(const std::string& payment_id,
                                            const std::string& refund_id);

  // Refunds `amount_minor` (0 = all that remains) of a payment. Used by CreateRefund and
  // by the platform itself (late captures, cancellations before the cut-off).
  // (handlers/refunds.cc)
  absl::StatusOr<v1::Refund> Refund(const std::string& payment_id, int64_t amount_minor,
                                    const std::string& reason, const std::string& initiated_by,
                                    const std::string& user_id, const std::string& idempotency_key,
                                    const pg::Subject& subject);
  // Asks the gateway about payments still waiting after `min_age_seconds` (a webhook
  // may never come): captures are applied like a webhook would. Returns how many.
  // (handlers/capture.cc, like the two below)
  int SyncPendingOnce(int min_age_seconds);
  // Resumes what a crash (kill -9) can cut in two. A payment left 'creating' for
  // `min_age_seconds` (the order made at the gateway, never recorded; or never made) is
  // completed from the gateway by its receipt, or dropped. A capture whose appointment was
  // never confirmed is settled: confirmed, or refunded in full when the slot is gone.
  int CompleteCreatingOnce(int min_age_seconds);
  int SettleCapturedOnce(int min_age_seconds);

  // Compares the ledger with the gateway, payment by payment; prints each difference
  // and returns how many there were (-1 when the gateway could not be read).
  // (handlers/reconcile.cc)
  int Reconcile(std::FILE* out);

  // Handles one appointment event: a cancellation that entitles the patient to a refund
  // gets one, once. Not OK: it is to be retried (the entry stays unacknowledged: the
  // gateway was unavailable, or the database). (handlers/refunds.cc)
  absl::Status HandleAppointmentEvent(const events::Event& e);

  // Background work: appointment events (consumer group "payment-service", a libs/events
  // StreamConsumer on `events`, a connection of its own; an entry a crashed consumer left
  // unacknowledged for EVENT_CLAIM_IDLE_MS is claimed, none is ever dead-lettered: a
  // refund is retried until it is made), and on a thread of its own, now and then, the
  // gateway sync and the resumption of steps a crash cut in two.
  void StartBackground(redis::Client* events);
  void StopBackground();

 private:
  absl::StatusOr<auth::Claims> Caller(const grpc::ServerContext& ctx);
  // Records a capture (idempotent) and confirms the appointment. (handlers/capture.cc)
  absl::Status ApplyCapture(const std::string& order_id, const std::string& gateway_payment_id,
                            int64_t amount_minor, const std::string& request_id, bool* applied);
  void ConfirmAppointment(const std::string& payment_id, const std::string& request_id);
  // After a capture: the invoice, then the appointment (settled_at marks it done).
  absl::Status Settle(const std::string& payment_id, const std::string& request_id);
  // (handlers/payments.cc)
  absl::Status RecordOrder(const std::string& payment_id, const GatewayOrder& order);
  absl::Status ForgetCreating(const std::string& payment_id);
  // (handlers/invoices.cc)
  absl::StatusOr<v1::Invoice> LoadInvoice(const std::string& id, const grpc::ServerContext& ctx);

  const Config& config_;
  pg::Pool* pool_;
  paging::PageTokens page_tokens_;
  Gateway* gateway_;
  auth::Authenticator authn_;
  clients::Appointments appointments_;
  clients::Directory directory_;
  std::atomic<bool> stop_{false};
  std::thread background_;
  std::unique_ptr<events::StreamConsumer> consumer_;
};

}  // namespace healthtech::payment
