// The payment rules on their own: no database, no gRPC.
#include <gtest/gtest.h>

#include "domain/payment.h"
#include "healthtech/status/status.h"

namespace healthtech::payment::domain {
namespace {

std::string Reason(const absl::Status& s) { return status::ReasonOf(s); }

TEST(Payable, OnlyAnAppointmentWaitingForPaymentWithAFee) {
  EXPECT_TRUE(CheckPayable(true, 75000).ok());
  auto not_waiting = CheckPayable(false, 75000);
  EXPECT_EQ(Reason(not_waiting), "NOT_PAYABLE");
  EXPECT_EQ(not_waiting.message(), "This appointment is not waiting for a payment.");
  auto free = CheckPayable(true, 0);
  EXPECT_EQ(Reason(free), "NOT_PAYABLE");
  EXPECT_EQ(free.message(), "This appointment has no fee to pay.");
  EXPECT_EQ(CheckPayable(true, -1).message(), "This appointment has no fee to pay.");
  // Not waiting is reported before the fee.
  EXPECT_EQ(CheckPayable(false, 0).message(), "This appointment is not waiting for a payment.");
}

TEST(Payable, CurrencyDefaultsToRupees) {
  EXPECT_EQ(CurrencyOrDefault(""), "INR");
  EXPECT_EQ(CurrencyOrDefault("USD"), "USD");
}

TEST(IdempotencyKey, AtMost255Characters) {
  EXPECT_TRUE(CheckIdempotencyKey("").ok());
  EXPECT_TRUE(CheckIdempotencyKey(std::string(255, 'k')).ok());
  auto s = CheckIdempotencyKey(std::string(256, 'k'));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(s), "VALIDATION_FAILED");
  ASSERT_EQ(status::ViolationsOf(s).size(), 1u);
  EXPECT_EQ(status::ViolationsOf(s)[0].field, "Idempotency-Key");
}

TEST(RequestHash, ReplaysMatchOnlyTheSameRequest) {
  const std::string appt = "5f0c1e9a-0000-4000-8000-000000000001";
  EXPECT_EQ(PaymentRequestHash(appt), PaymentRequestHash(appt));
  EXPECT_NE(PaymentRequestHash(appt), PaymentRequestHash("5f0c1e9a-0000-4000-8000-000000000002"));
  EXPECT_EQ(PaymentRequestHash(appt).size(), 64u);  // SHA-256, hex
  const std::string pay = "5f0c1e9a-0000-4000-8000-00000000000a";
  EXPECT_EQ(RefundRequestHash(pay, 100, "x"), RefundRequestHash(pay, 100, "x"));
  EXPECT_NE(RefundRequestHash(pay, 100, "x"), RefundRequestHash(pay, 101, "x"));
  EXPECT_NE(RefundRequestHash(pay, 100, "x"), RefundRequestHash(pay, 100, "y"));
  // The fields are separated: "1|23" and "12|3" differ.
  EXPECT_NE(RefundRequestHash(pay, 1, "23|x"), RefundRequestHash(pay, 12, "3|x"));
}

TEST(Capture, AppliedOnceWhateverCameAfter) {
  EXPECT_TRUE(CaptureApplied("captured"));
  EXPECT_TRUE(CaptureApplied("refunded"));
  EXPECT_TRUE(CaptureApplied("partially_refunded"));
  EXPECT_FALSE(CaptureApplied("creating"));
  EXPECT_FALSE(CaptureApplied("created"));
  EXPECT_FALSE(CaptureApplied("authorized"));
  EXPECT_FALSE(CaptureApplied("failed"));  // a later capture wins over an earlier failure
}

TEST(Refundable, OnlyCapturedMoney) {
  EXPECT_TRUE(CheckRefundable("captured").ok());
  EXPECT_TRUE(CheckRefundable("partially_refunded").ok());
  for (const char* s : {"creating", "created", "authorized", "failed", "refunded"}) {
    auto r = CheckRefundable(s);
    EXPECT_EQ(r.code(), absl::StatusCode::kAborted) << s;
    EXPECT_EQ(Reason(r), "NOT_REFUNDABLE") << s;
  }
}

TEST(RefundAmount, ZeroMeansEverythingThatRemains) {
  EXPECT_EQ(*RefundAmount(0, 75000, 0), 75000);
  EXPECT_EQ(*RefundAmount(0, 75000, 25000), 50000);
  EXPECT_EQ(*RefundAmount(30000, 75000, 25000), 30000);
  EXPECT_EQ(*RefundAmount(50000, 75000, 25000), 50000);  // exactly what remains
}

TEST(RefundAmount, NeverMoreThanWasCaptured) {
  auto over = RefundAmount(50001, 75000, 25000);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(over.status()), "REFUND_EXCEEDS_CAPTURED");
  auto v = status::ViolationsOf(over.status());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "amount");
  EXPECT_EQ(v[0].message, "at most 50000 can be refunded");
  // Nothing left: even "everything that remains" is refused.
  auto nothing = RefundAmount(0, 75000, 75000);
  ASSERT_FALSE(nothing.ok());
  EXPECT_EQ(status::ViolationsOf(nothing.status())[0].message, "at most 0 can be refunded");
  EXPECT_FALSE(RefundAmount(-5, 75000, 0).ok());
}

TEST(Cancellation, ClinicOrPatientBeforeCutoffGetsEverythingBack) {
  EXPECT_TRUE(FullRefundOnCancellation("practitioner", false));
  EXPECT_TRUE(FullRefundOnCancellation("org_staff", false));
  EXPECT_TRUE(FullRefundOnCancellation("", false));
  EXPECT_TRUE(FullRefundOnCancellation("patient", true));
  EXPECT_FALSE(FullRefundOnCancellation("patient", false));
}

TEST(Cancellation, LatePercentRoundsDown) {
  EXPECT_EQ(PercentOf(75000, 50), 37500);
  EXPECT_EQ(PercentOf(999, 50), 499);
  EXPECT_EQ(PercentOf(999, 0), 0);
  EXPECT_EQ(PercentOf(999, 100), 999);
  EXPECT_EQ(CancellationRefundReason(100), "appointment cancelled");
  EXPECT_EQ(CancellationRefundReason(25), "late cancellation (25%)");
}

TEST(Documents, LineAndFileName) {
  EXPECT_EQ(LineDescription(false, "5f0c1e9a-0000-4000-8000-000000000001"),
            "Medical consultation, appointment 5f0c1e9a");
  EXPECT_EQ(LineDescription(true, "5f0c1e9a-0000-4000-8000-000000000001"),
            "Refund of medical consultation, appointment 5f0c1e9a");
  const std::string visit =
      "Consultation with Dr. Meera Iyer (Cardiology) on Sun 06 Dec 2026, 05:45";
  EXPECT_EQ(LineDescription(false, "5f0c1e9a-0000-4000-8000-000000000001", visit),
            visit + " (appointment 5f0c1e9a)");
  EXPECT_EQ(LineDescription(true, "5f0c1e9a-0000-4000-8000-000000000001", visit),
            "Refund: " + visit + " (appointment 5f0c1e9a)");
  EXPECT_EQ(PdfFilename("INV/2026-27/000123"), "INV-2026-27-000123.pdf");
  EXPECT_EQ(PdfFilename("CN/2026-27/000004"), "CN-2026-27-000004.pdf");
}

TEST(NotFound, OneAnswerForMissingAndInvisible) {
  auto s = PaymentNotFound();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Reason(s), "PAYMENT_NOT_FOUND");
  EXPECT_EQ(s.message(), "No payment with this id is visible to you.");
}

}  // namespace
}  // namespace healthtech::payment::domain
