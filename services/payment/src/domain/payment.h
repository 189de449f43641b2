#pragma once
// Payment rules with no database and no gRPC: which stored statuses allow what, when an
// appointment can be paid, how much a refund may be, what a cancellation gives back, and
// the fingerprints Idempotency-Key replays must match.
#include <cstdint>
#include <string>
#include <string_view>

#include <absl/status/status.h>
#include <absl/status/statusor.h>

namespace healthtech::payment::domain {

// Not found, or not the caller's to see (row-level security): the same answer.
absl::Status PaymentNotFound();

// An Idempotency-Key longer than 255 characters is refused (400 VALIDATION_FAILED).
absl::Status CheckIdempotencyKey(const std::string& key);

// The fingerprint a payment's Idempotency-Key replay must match (its appointment).
std::string PaymentRequestHash(const std::string& appointment_id);
// The fingerprint a refund's Idempotency-Key replay must match.
std::string RefundRequestHash(const std::string& payment_id, int64_t amount_minor,
                              const std::string& reason);

// An appointment can be paid while it waits for a payment and has a fee (409 NOT_PAYABLE).
absl::Status CheckPayable(bool pending_payment, int64_t fee_minor);
// The fee's currency, INR when the appointment names none.
std::string CurrencyOrDefault(const std::string& currency);

// A capture already applied (a duplicate or an older event): nothing to do.
bool CaptureApplied(std::string_view status);
// Only a captured (or partly refunded) payment can be refunded (409 NOT_REFUNDABLE).
absl::Status CheckRefundable(std::string_view status);
// How much a refund of `requested` (0 = all that remains) moves, given what was captured
// and what earlier refunds (not failed) already took; never more than remains
// (400 REFUND_EXCEEDS_CAPTURED).
absl::StatusOr<int64_t> RefundAmount(int64_t requested, int64_t captured, int64_t already);

// Cancellation policy: the clinic cancelling, or the patient before the cut-off, gets the
// whole fee back; a patient after the cut-off gets the organization's
// late_cancellation_refund_percent (0 unless the organization set it).
bool FullRefundOnCancellation(const std::string& cancelled_by_role, bool before_cutoff);
// `percent` of `amount_minor`, rounded down.
int64_t PercentOf(int64_t amount_minor, int percent);
// The refund's reason for a cancellation refunding `percent`.
std::string CancellationRefundReason(int percent);

// The line of an invoice (or credit note) for an appointment: the visit in words when it is
// known ("Consultation with Dr. … on Sun 06 Dec 2026, 05:45 (Asia/Kolkata), Sunrise MG
// Road"), and the appointment's short id.
std::string LineDescription(bool credit_note, const std::string& appointment_id,
                            const std::string& visit = "");
// A document's file name: its number with '/' as '-', ".pdf".
std::string PdfFilename(const std::string& number);

}  // namespace healthtech::payment::domain
