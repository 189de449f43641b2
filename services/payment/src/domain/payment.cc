#include "domain/payment.h"

#include "healthtech/crypto/hash.h"
#include "healthtech/status/status.h"

namespace healthtech::payment::domain {

namespace st = status;

absl::Status PaymentNotFound() {
  return st::NotFound("PAYMENT_NOT_FOUND", "No payment with this id is visible to you.");
}

absl::Status CheckIdempotencyKey(const std::string& key) {
  if (key.size() > 255) {
    return st::InvalidArgument("VALIDATION_FAILED", "Idempotency-Key is too long.",
                               {{"Idempotency-Key", "must be at most 255 characters"}});
  }
  return absl::OkStatus();
}

std::string PaymentRequestHash(const std::string& appointment_id) {
  return crypto::Sha256Hex("appointment:" + appointment_id);
}

std::string RefundRequestHash(const std::string& payment_id, int64_t amount_minor,
                              const std::string& reason) {
  return crypto::Sha256Hex(payment_id + "|" + std::to_string(amount_minor) + "|" + reason);
}

absl::Status CheckPayable(bool pending_payment, int64_t fee_minor) {
  if (!pending_payment) {
    return st::Conflict("NOT_PAYABLE", "This appointment is not waiting for a payment.");
  }
  if (fee_minor <= 0) {
    return st::Conflict("NOT_PAYABLE", "This appointment has no fee to pay.");
  }
  return absl::OkStatus();
}

std::string CurrencyOrDefault(const std::string& currency) {
  return currency.empty() ? "INR" : currency;
}

bool CaptureApplied(std::string_view status) {
  return status == "captured" || status == "refunded" || status == "partially_refunded";
}

absl::Status CheckRefundable(std::string_view status) {
  if (status != "captured" && status != "partially_refunded") {
    return st::Conflict("NOT_REFUNDABLE", "Only a captured payment can be refunded.");
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> RefundAmount(int64_t requested, int64_t captured, int64_t already) {
  int64_t amount = requested;
  if (amount == 0) amount = captured - already;
  if (amount <= 0 || already + amount > captured) {
    return st::InvalidArgument(
        "REFUND_EXCEEDS_CAPTURED", "Refunds cannot exceed the captured amount.",
        {{"amount", "at most " + std::to_string(captured - already) + " can be refunded"}});
  }
  return amount;
}

bool FullRefundOnCancellation(const std::string& cancelled_by_role, bool before_cutoff) {
  return cancelled_by_role != "patient" || before_cutoff;
}

int64_t PercentOf(int64_t amount_minor, int percent) { return amount_minor * percent / 100; }

std::string CancellationRefundReason(int percent) {
  return percent == 100 ? "appointment cancelled"
                        : "late cancellation (" + std::to_string(percent) + "%)";
}

std::string LineDescription(bool credit_note, const std::string& appointment_id,
                            const std::string& visit) {
  if (!visit.empty()) {
    return std::string(credit_note ? "Refund: " : "") + visit + " (appointment " +
           appointment_id.substr(0, 8) + ")";
  }
  return std::string(credit_note ? "Refund of medical consultation, appointment "
                                 : "Medical consultation, appointment ") +
         appointment_id.substr(0, 8);
}

std::string PdfFilename(const std::string& number) {
  std::string name = number;
  for (auto& c : name)
    if (c == '/') c = '-';
  return name + ".pdf";
}

}  // namespace healthtech::payment::domain
