#pragma once
// The app's side of the REST contract: every field it reads or sends (fields.inc) and every
// operation it calls. tests/contract_test.cc checks both against /v1/openapi.json.
#include <cstddef>

namespace healthtech::app::api {

enum class Kind { String, Integer, Boolean, Array, Object };

struct Field {
  const char* schema;  // components.schemas key
  const char* name;    // property name
  Kind kind;           // JSON type the app expects
  bool required;       // the app relies on it being present
};

namespace f {
#define HT_FIELD(id, schema, name, kind, required) \
  inline constexpr Field id{schema, name, Kind::kind, required};
#include "fields.inc"
#undef HT_FIELD
}  // namespace f

inline constexpr Field kFields[] = {
#define HT_FIELD(id, schema, name, kind, required) f::id,
#include "fields.inc"
#undef HT_FIELD
};

struct Operation {
  const char* method;            // lower case, as in the document
  const char* path;              // the document's template
  bool idempotency_key = false;  // the app sends an Idempotency-Key (the same on retries)
};

// Every call the app makes (ApiClient uses these paths; the contract test checks each exists).
inline constexpr Operation kOperations[] = {
    {"post", "/v1/auth/login"},
    {"post", "/v1/auth/mfa/verify"},
    {"post", "/v1/auth/refresh"},
    {"post", "/v1/auth/logout"},
    {"get", "/v1/me"},
    {"get", "/v1/practitioners"},
    {"get", "/v1/practitioners/{practitioner_id}"},
    {"get", "/v1/practitioners/{practitioner_id}/slots"},
    {"get", "/v1/practitioners/{practitioner_id}/availability"},
    {"get", "/v1/appointments"},
    {"post", "/v1/appointments", true},
    {"post", "/v1/appointments/{appointment_id}/reschedule", true},
    {"post", "/v1/appointments/{appointment_id}/cancel"},
    {"post", "/v1/appointments/{appointment_id}/check-in"},
    {"post", "/v1/appointments/{appointment_id}/start"},
    {"post", "/v1/appointments/{appointment_id}/complete"},
    {"post", "/v1/appointments/{appointment_id}/no-show"},
    {"post", "/v1/payments", true},
    {"get", "/v1/invoices/{invoice_id}.pdf"},
    {"get", "/v1/payments/{payment_id}"},
    {"get", "/v1/forum/private-threads"},
    {"post", "/v1/forum/private-threads"},
    {"get", "/v1/forum/private-threads/{thread_id}"},
    {"post", "/v1/forum/private-threads/{thread_id}/posts"},
    {"get", "/v1/notifications"},
    {"post", "/v1/notifications/read-all"},
};

}  // namespace healthtech::app::api
