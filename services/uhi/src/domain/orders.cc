#include "healthtech/uhi/domain/orders.h"
#include "healthtech/uhi/domain/discovery.h"

#include <cctype>
#include <cstdio>

namespace healthtech::uhi::domain {
namespace {

using nlohmann::json;

Nack OrderError(std::string path, std::string message) {
  return Nack{"JSON-SCHEMA-ERROR", std::string(kInvalidRequest), "message.order." + path,
              std::move(message), 400};
}

const json* At(const json& j, std::initializer_list<std::string_view> keys) {
  const json* at = &j;
  for (auto k : keys) {
    if (!at->is_object()) return nullptr;
    auto it = at->find(k);
    if (it == at->end() || it->is_null()) return nullptr;
    at = &*it;
  }
  return at;
}

// The string at `keys` under `order` into `out` (absent → ""): another type or more than
// `max` bytes is refused.
std::optional<Nack> Text(const json& order, std::initializer_list<std::string_view> keys,
                         const std::string& path, std::string& out, size_t max = 200) {
  const json* v = At(order, keys);
  if (!v) return std::nullopt;
  if (!v->is_string()) return OrderError(path, "must be a string");
  out = v->get<std::string>();
  if (out.size() > max) return OrderError(path, "is too long");
  return std::nullopt;
}

Checked<const json*> Order(const json& message) {
  const json* order = At(message, {"order"});
  if (!order || !order->is_object()) {
    return Nack{"JSON-SCHEMA-ERROR", std::string(kInvalidRequest), "message.order",
                "message.order is required", 400};
  }
  return order;
}

bool Uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "+919812345678", "919812345678", "9812345678", "+91 98123 45678" → "+919812345678";
// anything else → "".
std::string IndianPhone(std::string_view in) {
  std::string digits;
  for (char c : in) {
    if (c >= '0' && c <= '9')
      digits += c;
    else if (c != ' ' && c != '-' && c != '+')
      return "";
  }
  if (digits.size() == 10) digits = "91" + digits;
  if (digits.size() < 8 || digits.size() > 15 || digits[0] == '0') return "";
  return "+" + digits;
}

}  // namespace

Checked<InitOrder> ParseInit(const json& message) {
  auto order = Order(message);
  if (auto* n = std::get_if<Nack>(&order)) return *n;
  const json& o = *std::get<const json*>(order);
  InitOrder out;
  std::string tag_slot;
  if (auto n = Text(o, {"fulfillment", "id"}, "fulfillment.id", out.slot_id)) return *n;
  if (auto n = Text(o, {"fulfillment", "tags", "@abdm/gov.in/slot_id"},
                    "fulfillment.tags.@abdm/gov.in/slot_id", tag_slot))
    return *n;
  if (!Uuid(out.slot_id) && Uuid(tag_slot)) out.slot_id = tag_slot;
  if (!Uuid(out.slot_id)) {
    return OrderError("fulfillment.id", "must be the id of a slot this HSPA offered");
  }
  out.slot_id = Lower(out.slot_id);
  if (auto n = Text(o, {"fulfillment", "type"}, "fulfillment.type", out.type)) return *n;
  if (out.type == "PhysicalConsultation" || out.type == "Physical-OPD") out.type = "Physical";
  if (out.type == "Teleconsultation" || out.type == "DIGITAL-OPD") out.type = "Online";
  if (!out.type.empty() && out.type != "Physical" && out.type != "Online") {
    return OrderError("fulfillment.type", "must be Physical or Online");
  }
  if (auto n = Text(o, {"customer", "id"}, "customer.id", out.abha_address)) return *n;
  if (out.abha_address.empty()) {
    return OrderError("customer.id", "must be the patient's ABHA address");
  }
  if (auto n = Text(o, {"billing", "name"}, "billing.name", out.name)) return *n;
  std::string phone;
  if (auto n = Text(o, {"billing", "phone"}, "billing.phone", phone)) return *n;
  out.phone = IndianPhone(phone);
  if (auto n = Text(o, {"payment", "type"}, "payment.type", out.payment_type)) return *n;
  return out;
}

Checked<std::string> ParseOrderId(const json& message, bool terms_must_be_agreed) {
  auto order = Order(message);
  if (auto* n = std::get_if<Nack>(&order)) return *n;
  const json& o = *std::get<const json*>(order);
  std::string id;
  if (auto n = Text(o, {"id"}, "id", id)) return *n;
  if (!Uuid(id)) return OrderError("id", "must be the order id this HSPA gave in on_init");
  if (terms_must_be_agreed) {
    if (const json* terms = At(o, {"terms"})) {
      if (!terms->is_array()) return OrderError("terms", "must be a list");
      for (size_t i = 0; i < terms->size(); ++i) {
        const json* state = At((*terms)[i], {"termsState"});
        if (!state || !state->is_string() || *state != "AGREED") {
          return Nack{"POLICY-ERROR", std::string(kInvalidRequest),
                      "message.order.terms[" + std::to_string(i) + "].termsState",
                      "Every term must be AGREED to confirm.", 400};
        }
      }
    }
  }
  return Lower(id);
}

Checked<CancelOrder> ParseCancel(const json& message) {
  auto id = ParseOrderId(message, false);
  if (auto* n = std::get_if<Nack>(&id)) return *n;
  CancelOrder out;
  out.order_id = std::get<std::string>(id);
  const json& o = message["order"];
  // The 2024 schema's tag, the v2.0.2 guide's, and the older spelling.
  for (const char* key : {"@abdm/gov.in/cancelReason", "@abdm/gov.in/cancel_reason",
                          "@abdm/gov/in/cancel_reason", "cancelReason"}) {
    if (!out.reason_code.empty()) break;
    if (auto n = Text(o, {"fulfillment", "tags", key}, std::string("fulfillment.tags.") + key,
                      out.reason_code, 1000))
      return *n;
  }
  if (auto n = Text(o, {"fulfillment", "tags", "@abdm/gov.in/cancelReasonText"},
                    "fulfillment.tags.@abdm/gov.in/cancelReasonText", out.reason_text, 1000))
    return *n;
  return out;
}

json Quote(int64_t fee_minor, int gst_rate_bps) {
  const int64_t tax = (fee_minor * gst_rate_bps + 5000) / 10000;
  const int64_t cgst = tax / 2, sgst = tax - cgst;
  auto rate = [](int bps) {
    char buf[16];
    if (bps % 100 == 0)
      std::snprintf(buf, sizeof buf, "%d%%", bps / 100);
    else
      std::snprintf(buf, sizeof buf, "%d.%02d%%", bps / 100, bps % 100);
    return std::string(buf);
  };
  auto price = [](int64_t minor) { return json{{"currency", "INR"}, {"value", Rupees(minor)}}; };
  return json{{"price", price(fee_minor + tax)},
              {"breakup",
               json::array({{{"title", "Consultation"}, {"price", price(fee_minor)}},
                            {{"title", "CGST @ " + rate(gst_rate_bps / 2)}, {"price", price(cgst)}},
                            {{"title", "SGST @ " + rate(gst_rate_bps - gst_rate_bps / 2)},
                             {"price", price(sgst)}}})}};
}

std::string OrderState(std::string_view s) {
  if (s == "pending_payment") return "INITIALIZED";
  if (s == "booked" || s == "checked_in") return "CONFIRMED";
  if (s == "in_progress") return "APPOINTMENT_STARTED";
  if (s == "completed") return "COMPLETED";
  if (s == "cancelled") return "CANCELLED";
  if (s == "no_show") return "NO_SHOW";
  return "FAILED";
}

std::string CancelReasonText(std::string_view code, std::string_view text) {
  static const std::pair<std::string_view, std::string_view> kReasons[] = {
      {"PATIENT_PERSONAL_EMERGENCY", "Patient: personal emergency"},
      {"PATIENT_HEALTH_IMPROVED", "Patient: health improved"},
      {"PATIENT_UNABLE_TO_VISIT_PHYSICALLY", "Patient: unable to visit in person"},
      {"DOCTOR_ASKED_TO_CANCEL", "Patient: the doctor asked to cancel"},
      {"PATIENT_BOOKED_IN_ERROR", "Patient: booked in error"},
      {"PATIENT_SEEKING_ALTERNATIVE", "Patient: seeking an alternative"},
      {"PATIENT_OTHER", "Patient: other"},
  };
  std::string out;
  for (const auto& [c, words] : kReasons)
    if (code == c) out = words;
  if (out.empty()) out = std::string(code);
  if (!text.empty()) out += out.empty() ? std::string(text) : " (" + std::string(text) + ")";
  if (out.empty()) out = "Cancelled through the patient's UHI app";
  if (out.size() > 1000) {  // at most 1000 bytes, cut between characters (UTF-8)
    size_t cut = 1000;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

std::string PinText(uint32_t value) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04u", value % 10000);
  return buf;
}

}  // namespace healthtech::uhi::domain
