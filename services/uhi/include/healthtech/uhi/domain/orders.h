#pragma once
// UHI orders (0.7.1 / v2.0.2): what init, confirm, status and cancel ask, and the order
// every on_<action> answers with. Pure functions over JSON; no I/O. The order is singular
// (`order.item`, `order.fulfillment`); the HSPA's order id replaces the app's at on_init.
// Sources: ../shared/uhi/WIRE.md §3.5, NHA's init/confirm/status/cancel-schema.json.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "healthtech/uhi/domain/messages.h"

namespace healthtech::uhi::domain {

// init: which offered slot, for whom.
struct InitOrder {
  std::string slot_id;       // fulfillment.id (or its tag @abdm/gov.in/slot_id): a slot we offered
  std::string type;          // "Physical" or "Online" (older spellings accepted)
  std::string abha_address;  // customer.id, as given
  std::string name;          // billing.name
  std::string phone;         // billing.phone, E.164 when it can be made one ("+91…")
  std::string payment_type;  // payment.type as given (may be empty)
};
Checked<InitOrder> ParseInit(const nlohmann::json& message);

// confirm, status: the HSPA's order id. A confirm that sends terms back must have agreed
// to every one of them.
Checked<std::string> ParseOrderId(const nlohmann::json& message, bool terms_must_be_agreed);

// cancel: the order, who cancels (patient or doctor, as the app says) and why.
struct CancelOrder {
  std::string order_id;
  std::string reason_code;  // e.g. PATIENT_PERSONAL_EMERGENCY, may be empty
  std::string reason_text;  // free text (for *_OTHER)
};
Checked<CancelOrder> ParseCancel(const nlohmann::json& message);

// The fee as the platform's invoices compute it: taxable value `fee_minor`, GST at
// `gst_rate_bps` rounded half up, split CGST/SGST (intra-state), added on top.
nlohmann::json Quote(int64_t fee_minor, int gst_rate_bps);

// The states of an order on the wire (v2.0.2) for the platform's appointment status:
// pending_payment → INITIALIZED (held, not yet confirmed), booked/checked_in → CONFIRMED,
// in_progress → APPOINTMENT_STARTED, completed → COMPLETED, cancelled → CANCELLED,
// no_show → NO_SHOW, expired → FAILED.
std::string OrderState(std::string_view appointment_status);

// Cancellation reasons on the wire, in words the clinic reads ("Patient: personal
// emergency"); unknown codes are kept as they are.
std::string CancelReasonText(std::string_view code, std::string_view text);

// A four-digit PIN from a uniform value in [0, 10000).
std::string PinText(uint32_t value);

}  // namespace healthtech::uhi::domain
