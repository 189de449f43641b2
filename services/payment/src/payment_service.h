#pragma once
#include <cstdio>
#include <memory>

#include "gateway.h"
#include "healthtech/appointment/v1/appointment_service.grpc.pb.h"
#include "healthtech/auth/authenticator.h"
#include "healthtech/iam/v1/iam_service.grpc.pb.h"
#include "healthtech/org/v1/org_service.grpc.pb.h"
#include "healthtech/paging/page_token.h"
#include "healthtech/payment/v1/payment_service.grpc.pb.h"
#include "healthtech/pg/pool.h"
#include "healthtech/redis/redis.h"

namespace healthtech::payment {

struct Config {
  std::string internal_token;
  std::string jwt_issuer, jwt_audience;
  int gst_rate_bps = 0;  // healthcare services are exempt by default
};

// Payments for appointments. Amounts come from the appointment (its practitioner's fee
// at booking), never from the client; one open payment per appointment is enforced by a
// unique index; every money movement is an append-only ledger row; a capture, by webhook
// or by the client's verified checkout signature, confirms the appointment exactly once.
class PaymentServiceImpl final : public v1::PaymentService::Service {
 public:
  PaymentServiceImpl(Config config, pg::Pool* pool, Gateway* gateway,
                     std::shared_ptr<grpc::Channel> iam,
                     std::shared_ptr<grpc::Channel> appointments,
                     std::shared_ptr<grpc::Channel> orgs);

  using Ctx = grpc::ServerContext;
  grpc::Status CreatePayment(Ctx*, const v1::CreatePaymentRequest*,
                             v1::CreatePaymentResponse*) override;
  grpc::Status GetPayment(Ctx*, const v1::GetPaymentRequest*, v1::Payment*) override;
  grpc::Status ListPayments(Ctx*, const v1::ListPaymentsRequest*,
                            v1::ListPaymentsResponse*) override;
  grpc::Status VerifyPayment(Ctx*, const v1::VerifyPaymentRequest*, v1::Payment*) override;
  grpc::Status HandleGatewayWebhook(Ctx*, const v1::HandleGatewayWebhookRequest*,
                                    v1::HandleGatewayWebhookResponse*) override;
  grpc::Status CreateRefund(Ctx*, const v1::CreateRefundRequest*, v1::Refund*) override;
  grpc::Status GetInvoice(Ctx*, const v1::GetInvoiceRequest*, v1::Invoice*) override;
  grpc::Status GetInvoicePdf(Ctx*, const v1::GetInvoicePdfRequest*,
                             v1::GetInvoicePdfResponse*) override;

  // Issues the invoice of a captured payment (or the credit note of a processed refund)
  // once; a later call returns the existing one.
  absl::StatusOr<std::string> IssueDocument(const std::string& payment_id,
                                            const std::string& refund_id);

  // Refunds `amount_minor` (0 = all that remains) of a payment. Used by CreateRefund and
  // by the platform itself (late captures, cancellations before the cut-off).
  absl::StatusOr<v1::Refund> Refund(const std::string& payment_id, int64_t amount_minor,
                                    const std::string& reason, const std::string& initiated_by,
                                    const std::string& user_id, const std::string& idempotency_key,
                                    const pg::Subject& subject);
  // Asks the gateway about payments still waiting after `min_age_seconds` (a webhook
  // may never come): captures are applied like a webhook would. Returns how many.
  int SyncPendingOnce(int min_age_seconds);
  // Resumes what a crash (kill -9) can cut in two. A payment left 'creating' for
  // `min_age_seconds` (the order made at the gateway, never recorded; or never made) is
  // completed from the gateway by its receipt, or dropped. A capture whose appointment was
  // never confirmed is settled: confirmed, or refunded in full when the slot is gone.
  int CompleteCreatingOnce(int min_age_seconds);
  int SettleCapturedOnce(int min_age_seconds);

  // Compares the ledger with the gateway, payment by payment; prints each difference
  // and returns how many there were (-1 when the gateway could not be read).
  int Reconcile(std::FILE* out);

  // Consumes appointment events (consumer group "payment-service"): a cancellation that
  // entitles the patient to a refund gets one. Returns the number of events handled.
  // Entries another consumer took and left unacknowledged for claim_idle_ms (it crashed)
  // are claimed first, so no event is stranded with a dead process.
  int ConsumeAppointmentEventsOnce(class redis::Client& redis, const std::string& consumer,
                                   int claim_idle_ms = 60000);

 private:
  // Records a capture (idempotent) and confirms the appointment; returns the payment id.
  absl::Status ApplyCapture(const std::string& order_id, const std::string& gateway_payment_id,
                            int64_t amount_minor, const std::string& request_id, bool* applied);
  void ConfirmAppointment(const std::string& payment_id, const std::string& request_id);
  // After a capture: the invoice, then the appointment (settled_at marks it done).
  absl::Status Settle(const std::string& payment_id, const std::string& request_id);
  absl::Status RecordOrder(const std::string& payment_id, const GatewayOrder& order);
  absl::Status ForgetCreating(const std::string& payment_id);

  Config config_;
  pg::Pool* pool_;
  paging::PageTokens page_tokens_;
  Gateway* gateway_;
  auth::Authenticator authn_;
  std::unique_ptr<appointment::v1::AppointmentService::Stub> appointments_;
  std::unique_ptr<org::v1::OrgService::Stub> orgs_;
  std::unique_ptr<iam::v1::IamService::Stub> iam_;
  absl::StatusOr<v1::Invoice> LoadInvoice(const std::string& id, const grpc::ServerContext& ctx);
};

}  // namespace healthtech::payment
