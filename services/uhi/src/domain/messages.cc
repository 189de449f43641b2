#include "healthtech/uhi/domain/messages.h"

#include <cstdio>

namespace healthtech::uhi::domain {
namespace {

using nlohmann::json;
constexpr std::chrono::minutes kIndiaOffset{330};

Nack ContextError(std::string_view field, std::string message) {
  return Nack{"CONTEXT-ERROR", std::string(kInvalidRequest),
              field.empty() ? "context" : "context." + std::string(field), std::move(message), 400};
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// An absolute URL with a host, no credentials and no fragment.
bool GoodUri(std::string_view uri, bool allow_plain_http) {
  std::string_view rest;
  if (uri.substr(0, 8) == "https://") {
    rest = uri.substr(8);
  } else if (allow_plain_http && uri.substr(0, 7) == "http://") {
    rest = uri.substr(7);
  } else {
    return false;
  }
  const size_t host_end = std::min(rest.find('/'), rest.size());
  const std::string_view authority = rest.substr(0, host_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
  for (char c : uri) {
    if (c <= ' ' || c == '#' || c == '"' || c == '\\' || c == 0x7f) return false;
  }
  return uri.size() <= 2048;
}

int Number(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

bool NestedTooDeep(std::string_view body, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

std::string AckBody() { return R"({"message":{"ack":{"status":"ACK"}},"error":{}})"; }

std::string NackBody(const Nack& nack) {
  return json{
      {"message", {{"ack", {{"status", "NACK"}}}}},
      {"error",
       {{"type", nack.type}, {"code", nack.code}, {"path", nack.path}, {"message", nack.message}}}}
      .dump();
}

Checked<Context> ParseContext(const json& body, std::string_view action,
                              const ContextRules& rules) {
  if (!body.is_object()) {
    return Nack{"JSON-SCHEMA-ERROR", std::string(kInvalidRequest), "",
                "the body is not a JSON object", 400};
  }
  auto it = body.find("context");
  if (it == body.end() || !it->is_object()) {
    return ContextError("", "context is missing or not an object");
  }
  const json& c = *it;
  auto field = [&c](std::string_view name, bool required, std::string& out) -> std::optional<Nack> {
    auto f = c.find(name);
    if (f == c.end() || f->is_null()) {
      if (required) return ContextError(name, std::string(name) + " is required");
      return std::nullopt;
    }
    if (!f->is_string()) return ContextError(name, std::string(name) + " must be a string");
    out = f->get<std::string>();
    if (required && out.empty()) return ContextError(name, std::string(name) + " is empty");
    if (out.size() > 2048) return ContextError(name, std::string(name) + " is too long");
    return std::nullopt;
  };
  Context ctx;
  for (auto [name, required, out] :
       std::initializer_list<std::tuple<std::string_view, bool, std::string*>>{
           {"domain", true, &ctx.domain},
           {"country", true, &ctx.country},
           {"city", true, &ctx.city},
           {"action", true, &ctx.action},
           {"core_version", true, &ctx.core_version},
           {"consumer_id", true, &ctx.consumer_id},
           {"consumer_uri", true, &ctx.consumer_uri},
           {"provider_id", false, &ctx.provider_id},
           {"provider_uri", false, &ctx.provider_uri},
           {"message_id", true, &ctx.message_id},
           {"transaction_id", true, &ctx.transaction_id},
           {"timestamp", true, &ctx.timestamp}}) {
    if (auto nack = field(name, required, *out)) return *nack;
  }
  if (ctx.action != action) {
    return ContextError(
        "action", "action is \"" + ctx.action + "\" on the " + std::string(action) + " endpoint");
  }
  if (ctx.core_version != "0.7.1") {
    return ContextError("core_version", "core_version must be 0.7.1");
  }
  if (std::find(rules.domains.begin(), rules.domains.end(), ctx.domain) == rules.domains.end()) {
    return ContextError("domain", "domain " + ctx.domain + " is not served here");
  }
  if (ctx.country != "IND") return ContextError("country", "country must be IND");
  if (ctx.city.substr(0, 4) != "std:" || !AllDigits(ctx.city.substr(4)) || ctx.city.size() > 10) {
    return ContextError("city", "city must be std:<STD code>, e.g. std:080");
  }
  if (!GoodUri(ctx.consumer_uri, rules.allow_plain_http)) {
    return ContextError("consumer_uri", "consumer_uri must be an absolute https URL");
  }
  if (!ctx.provider_id.empty() && !rules.provider_id.empty() &&
      ctx.provider_id != rules.provider_id) {
    return ContextError("provider_id", "this is " + rules.provider_id + ", not " + ctx.provider_id);
  }
  if (ctx.message_id.size() > 128 || ctx.transaction_id.size() > 128) {
    return ContextError("message_id", "message_id and transaction_id are at most 128 characters");
  }
  if (!ParseTime(ctx.timestamp)) {
    return ContextError("timestamp", "timestamp is not an RFC 3339 time");
  }
  return ctx;
}

json CallbackContext(const Context& request, std::string_view action, std::string_view provider_id,
                     std::string_view provider_uri, std::chrono::system_clock::time_point now) {
  return json{{"domain", request.domain},
              {"country", request.country},
              {"city", request.city},
              {"action", action},
              {"core_version", request.core_version},
              {"consumer_id", request.consumer_id},
              {"consumer_uri", request.consumer_uri},
              {"provider_id", provider_id},
              {"provider_uri", provider_uri},
              {"message_id", request.message_id},
              {"transaction_id", request.transaction_id},
              {"timestamp", FormatUtcMillis(now)}};
}

std::optional<Seconds> ParseTime(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM]
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  const std::chrono::year_month_day day{std::chrono::year{Number(s.substr(0, 4))},
                                        std::chrono::month(Number(s.substr(5, 2))),
                                        std::chrono::day(Number(s.substr(8, 2)))};
  const int h = Number(s.substr(11, 2)), m = Number(s.substr(14, 2)), sec = Number(s.substr(17, 2));
  if (!day.ok() || h > 23 || m > 59 || sec > 60) return std::nullopt;
  std::string_view rest = s.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    size_t n = 1;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
    if (n == 1 || n > 10) return std::nullopt;
    rest.remove_prefix(n);
  }
  std::chrono::minutes offset = kIndiaOffset;
  if (rest == "Z" || rest == "z") {
    offset = std::chrono::minutes{0};
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
             AllDigits(rest.substr(1, 2)) && AllDigits(rest.substr(4, 2))) {
    const int oh = Number(rest.substr(1, 2)), om = Number(rest.substr(4, 2));
    if (oh > 14 || om > 59) return std::nullopt;
    offset = std::chrono::minutes{(rest[0] == '-' ? -1 : 1) * (oh * 60 + om)};
  } else if (!rest.empty()) {
    return std::nullopt;
  }
  const auto local = std::chrono::sys_days{day} + std::chrono::hours{h} + std::chrono::minutes{m} +
                     std::chrono::seconds{std::min(sec, 59)};
  return std::chrono::time_point_cast<std::chrono::seconds>(local - offset);
}

std::string FormatIndiaTime(Seconds t) {
  const auto local = t + kIndiaOffset;
  const auto days = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{local - days};
  char out[64];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02ld:%02ld:%02ld", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long>(hms.seconds().count()));
  return out;
}

std::string FormatUtcMillis(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(t);
  const auto days = std::chrono::floor<std::chrono::days>(ms);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{ms - days};
  char out[64];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ldZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<long>(hms.hours().count()),
                static_cast<long>(hms.minutes().count()), static_cast<long>(hms.seconds().count()),
                static_cast<long>(hms.subseconds().count()));
  return out;
}

}  // namespace healthtech::uhi::domain
