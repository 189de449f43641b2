#pragma once
// The UHI (0.7.1) message rules an HSPA applies before anything else: the synchronous ACK
// and NACK, the context every message carries and the one every callback sends back, and
// the times on the wire. Pure functions over JSON; no I/O. Sources: ../shared/uhi/WIRE.md
// §3.1 and §3.6, and NHA's draft-04 schemas (context-schema.json).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace healthtech::uhi::domain {

using Seconds = std::chrono::sys_seconds;

// Error codes of NHA's gateway and reference HSPA (GatewayError.java).
inline constexpr std::string_view kAuthHeaderMissing = "UHI-1401";
inline constexpr std::string_view kLookupFailed = "UHI-1402";
inline constexpr std::string_view kInvalidRequest = "UHI-1404";
inline constexpr std::string_view kInvalidSignature = "UHI-1405";
inline constexpr std::string_view kNotRegistered = "UHI-1406";
inline constexpr std::string_view kInternalError = "UHI-1407";
inline constexpr std::string_view kInvalidJson = "UHI-1411";

// A refusal, answered at once: `type` is the Beckn error type (CONTEXT-ERROR, CORE-ERROR,
// DOMAIN-ERROR, POLICY-ERROR, JSON-SCHEMA-ERROR), `path` the JSON path at fault.
struct Nack {
  std::string type;
  std::string code;
  std::string path;
  std::string message;
  int http_status = 400;
};

// Beckn messages nest a few levels; a body nested deeper than `max_depth` is refused before
// it is parsed (a JSON library recurses when it writes a document out or frees it).
bool NestedTooDeep(std::string_view body, int max_depth = 32);

std::string AckBody();                   // {"message":{"ack":{"status":"ACK"}},"error":{}}
std::string NackBody(const Nack& nack);  // with all four error fields

template <class T>
using Checked = std::variant<T, Nack>;

struct Context {
  std::string domain;
  std::string country;
  std::string city;  // "std:080"
  std::string action;
  std::string core_version;
  std::string consumer_id;
  std::string consumer_uri;
  std::string provider_id;  // may be empty on the first search's way in
  std::string provider_uri;
  std::string message_id;
  std::string transaction_id;
  std::string timestamp;
};

struct ContextRules {
  std::vector<std::string> domains{"nic2004:85111"};  // accepted on input
  std::string provider_id;                            // ours; another one is refused
  bool allow_plain_http = false;  // consumer_uri may be http:// (development only)
};

// The parsed body's `context`, checked: every required field a non-empty string, the
// action the endpoint's, core_version 0.7.1, an accepted domain, country IND, city
// "std:<digits>", consumer_uri an absolute https URL, and provider_id ours when given.
Checked<Context> ParseContext(const nlohmann::json& body, std::string_view action,
                              const ContextRules& rules);

// The context a callback carries: the request's, with the callback's action, our provider
// id and URI, and a new timestamp (UTC, milliseconds, "Z"); transaction_id and message_id
// are echoed, as the EUA matches on them.
nlohmann::json CallbackContext(const Context& request, std::string_view action,
                               std::string_view provider_id, std::string_view provider_uri,
                               std::chrono::system_clock::time_point now);

// Times on the wire: message times are ISO 8601 local to India without a zone
// ("2026-06-18T10:37:32"); a zone ("Z", "+05:30") is honoured when given; fractions are
// dropped. India keeps +05:30 all year.
std::optional<Seconds> ParseTime(std::string_view text);
std::string FormatIndiaTime(Seconds t);                                // "2026-06-18T10:37:32"
std::string FormatUtcMillis(std::chrono::system_clock::time_point t);  // "…T05:07:32.123Z"

}  // namespace healthtech::uhi::domain
