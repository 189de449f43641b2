#include "contract.h"

#include <cmath>
#include <cstdio>

#include "healthtech/validate/validate.h"

namespace healthtech::bff {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

using validate::ValidDate;
using validate::ValidLocalTime;

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string CheckFormat(const std::string& format, std::string_view v) {
  if (format.empty()) return "";
  if (format == "uuid") return validate::ValidUuid(v) ? "" : "must be a UUID";
  if (format == "date") return ValidDate(v) ? "" : "must be a date YYYY-MM-DD (2000–2200)";
  if (format == "local_time") return ValidLocalTime(v) ? "" : "must be a local time HH:MM";
  if (format == "email") {
    std::string normal;
    return validate::NormalizeEmail(v, &normal) ? "" : "must be a valid email address";
  }
  if (format == "e164")
    return validate::ValidPhone(v) ? "" : "must be in E.164 format, e.g. +919812345678";
  if (format == "language") {
    bool ok = v.size() == 2 && std::islower(static_cast<unsigned char>(v[0])) &&
              std::islower(static_cast<unsigned char>(v[1]));
    return ok ? "" : "must be an ISO 639-1 code, e.g. hi";
  }
  if (format == "currency") {
    bool ok = v.size() == 3 &&
              std::all_of(v.begin(), v.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    return ok ? "" : "must be an ISO 4217 code, e.g. INR";
  }
  if (format == "uri") {
    bool ok = v.rfind("https://", 0) == 0 || v.rfind("http://", 0) == 0;
    return ok ? "" : "must be an http(s) URL";
  }
  return "";
}

bool Present(const Message& m, const FieldDescriptor* f, const std::string& path,
             const std::set<std::string>& present) {
  const Reflection* r = m.GetReflection();
  if (f->is_repeated()) return r->FieldSize(m, f) > 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return r->HasField(m, f);
    case FieldDescriptor::CPPTYPE_STRING:
      return !validate::Trim(r->GetString(m, f)).empty();
    case FieldDescriptor::CPPTYPE_ENUM:
      return r->GetEnumValue(m, f) != 0;
    default:
      return present.count(path) > 0 || (f->has_presence() && r->HasField(m, f));
  }
}

double NumberOf(const Message& m, const FieldDescriptor* f, int index) {
  const Reflection* r = m.GetReflection();
  bool rep = index >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f);
    case FieldDescriptor::CPPTYPE_INT64:
      return static_cast<double>(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f);
    case FieldDescriptor::CPPTYPE_UINT64:
      return static_cast<double>(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f);
    case FieldDescriptor::CPPTYPE_FLOAT:
      return rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f);
    default:
      return 0;
  }
}

}  // namespace

const common::v1::FieldRules& RulesOf(const FieldDescriptor* f) {
  return f->options().GetExtension(common::v1::field);
}

const common::v1::MethodRules& RulesOf(const google::protobuf::MethodDescriptor* m) {
  return m->options().GetExtension(common::v1::method);
}

std::string CheckText(const common::v1::FieldRules& rules, std::string_view value) {
  if (std::string why = CheckFormat(rules.format(), value); !why.empty()) return why;
  size_t n = validate::CodePoints(value);
  if (rules.min_length() > 0 && n < rules.min_length()) {
    return rules.max_length() > 0
               ? "must be " + std::to_string(rules.min_length()) + "–" +
                     std::to_string(rules.max_length()) + " characters"
               : "must be at least " + std::to_string(rules.min_length()) + " characters";
  }
  if (rules.max_length() > 0 && n > rules.max_length())
    return "must be at most " + std::to_string(rules.max_length()) + " characters";
  if (rules.one_of_size() > 0 &&
      std::find(rules.one_of().begin(), rules.one_of().end(), value) == rules.one_of().end()) {
    std::string all;
    for (const auto& o : rules.one_of()) all += (all.empty() ? "" : ", ") + o;
    return "must be one of: " + all;
  }
  return "";
}

std::string CheckNumber(const common::v1::FieldRules& rules, double value) {
  bool lo = rules.has_minimum() && value < rules.minimum();
  bool hi = rules.has_maximum() && value > rules.maximum();
  if (!lo && !hi) return "";
  if (rules.has_minimum() && rules.has_maximum())
    return "must be between " + Num(rules.minimum()) + " and " + Num(rules.maximum());
  return lo ? "must be at least " + Num(rules.minimum())
            : "must be at most " + Num(rules.maximum());
}

void ValidateRequest(const Message& m, const std::set<std::string>& present,
                     std::vector<status::Violation>* errors, const std::string& prefix) {
  const auto* d = m.GetDescriptor();
  const Reflection* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    const auto& rules = RulesOf(f);
    std::string path = prefix + f->name();
    if (rules.internal()) continue;  // refused when parsed
    bool given = Present(m, f, path, present);
    if (!given) {
      if (rules.required()) errors->push_back({path, "is required"});
      continue;
    }
    if (f->is_repeated()) {
      int n = r->FieldSize(m, f);
      if (rules.min_length() > 0 && n < static_cast<int>(rules.min_length()))
        errors->push_back(
            {path, "must have at least " + std::to_string(rules.min_length()) + " items"});
      if (rules.max_length() > 0 && n > static_cast<int>(rules.max_length()))
        errors->push_back(
            {path, "must have at most " + std::to_string(rules.max_length()) + " items"});
      for (int k = 0; k < n; ++k) {
        std::string ipath = path + "[" + std::to_string(k) + "]";
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          ValidateRequest(r->GetRepeatedMessage(m, f, k), present, errors, ipath + ".");
        } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
          // For a list, min/max_length count items; each item has its format, closed set and
          // item_max_length.
          common::v1::FieldRules item;
          item.set_format(rules.format());
          item.set_max_length(rules.item_max_length());
          *item.mutable_one_of() = rules.one_of();
          if (auto why = CheckText(item, r->GetRepeatedString(m, f, k)); !why.empty())
            errors->push_back({ipath, why});
        } else if (f->cpp_type() != FieldDescriptor::CPPTYPE_ENUM &&
                   f->cpp_type() != FieldDescriptor::CPPTYPE_BOOL) {
          if (auto why = CheckNumber(rules, NumberOf(m, f, k)); !why.empty())
            errors->push_back({ipath, why});
        }
      }
      continue;
    }
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        ValidateRequest(r->GetMessage(m, f), present, errors, path + ".");
        break;
      case FieldDescriptor::CPPTYPE_STRING:
        if (f->type() == FieldDescriptor::TYPE_BYTES) break;
        if (auto why = CheckText(rules, r->GetString(m, f)); !why.empty())
          errors->push_back({path, why});
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
      case FieldDescriptor::CPPTYPE_BOOL:
        break;
      default:
        if (auto why = CheckNumber(rules, NumberOf(m, f, -1)); !why.empty())
          errors->push_back({path, why});
    }
  }
}

std::vector<std::string> CommonErrorCodes(bool authenticated, bool has_body, bool rate_limited,
                                          bool pages) {
  std::vector<std::string> codes = {"VALIDATION_FAILED", "BAD_REQUEST",      "HEADERS_TOO_LARGE",
                                    "INTERNAL",          "BAD_GATEWAY",      "SERVICE_UNAVAILABLE",
                                    "DATABASE_BUSY",     "DATABASE_TIMEOUT", "DATABASE_UNAVAILABLE",
                                    "DEADLINE_EXCEEDED", "SHUTTING_DOWN"};
  if (authenticated) {
    for (const char* c : {"AUTH_REQUIRED", "TOKEN_INVALID", "TOKEN_EXPIRED", "TOKEN_REVOKED"})
      codes.push_back(c);
  }
  if (has_body) {
    for (const char* c : {"MALFORMED_JSON", "UNSUPPORTED_MEDIA_TYPE", "PAYLOAD_TOO_LARGE"})
      codes.push_back(c);
  }
  if (rate_limited) codes.push_back("RATE_LIMITED");
  if (pages) codes.push_back("INVALID_PAGE_TOKEN");
  return codes;
}

}  // namespace healthtech::bff
