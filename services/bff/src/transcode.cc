#include "transcode.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>
#include <sodium.h>

#include "contract.h"
#include "healthtech/validate/validate.h"

namespace healthtech::bff {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::string UpperSnake(std::string_view camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    char c = camel[i];
    if (std::isupper(static_cast<unsigned char>(c)) && i > 0) out.push_back('_');
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsTimestamp(const Descriptor* d) { return d->full_name() == "google.protobuf.Timestamp"; }

// Every instant the API sends: UTC, whole seconds ("2026-12-05T06:00:00Z").
std::string FormatTimestamp(const google::protobuf::Timestamp& ts) {
  google::protobuf::Timestamp whole;
  whole.set_seconds(ts.seconds());
  return google::protobuf::util::TimeUtil::ToString(whole);
}

// Whether a singular field appears in a response (transcode.h: output rules).
bool Emitted(const Message& m, const FieldDescriptor* f) {
  const Reflection* r = m.GetReflection();
  if (f->has_presence()) return r->HasField(m, f);
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_ENUM:
      return r->GetEnumValue(m, f) != 0;
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      return RulesOf(f).required() || !r->GetStringReference(m, f, &scratch).empty();
    }
    default:
      return true;
  }
}

const google::protobuf::EnumValueDescriptor* FindEnum(const EnumDescriptor* e, std::string_view s) {
  std::string prefix = UpperSnake(e->name()) + "_";
  std::string upper;
  for (char c : s) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  const auto* v = e->FindValueByName(prefix + upper);
  if (v == nullptr) v = e->FindValueByName(upper);
  if (v == nullptr || v->number() == 0) return nullptr;
  return v;
}

std::string EnumChoices(const EnumDescriptor* e) {
  std::string out;
  for (int i = 0; i < e->value_count(); ++i) {
    if (e->value(i)->number() == 0) continue;
    out += (out.empty() ? "" : ", ") + EnumJsonName(e->value(i));
  }
  return out;
}

bool ParseTimestamp(std::string_view in, google::protobuf::Timestamp* ts) {
  // RFC 3339 with an explicit offset ("Z" or "+05:30"). In a query string an unencoded
  // "+05:30" arrives as " 05:30": read it as the "+" it was.
  std::string fixed(in);
  if (fixed.size() >= 6 && fixed[fixed.size() - 6] == ' ') fixed[fixed.size() - 6] = '+';
  std::string_view s = fixed;
  if (s.size() < 20 || s[10] != 'T') return false;
  char last = s.back();
  bool has_offset = last == 'Z' || last == 'z' ||
                    (s.size() >= 6 && (s[s.size() - 6] == '+' || s[s.size() - 6] == '-'));
  if (!has_offset) return false;
  return google::protobuf::util::TimeUtil::FromString(std::string(s), ts);
}

std::string Base64(const std::string& raw) {
  size_t len = sodium_base64_encoded_len(raw.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string out(len, '\0');
  sodium_bin2base64(out.data(), len, reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(len - 1);
  return out;
}

bool Unbase64(std::string_view in, std::string* out) {
  out->assign(in.size(), '\0');
  size_t n = 0;
  for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                      sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out->data()), out->size(), in.data(),
                          in.size(), nullptr, &n, &end, variant) == 0 &&
        end == in.data() + in.size()) {
      out->resize(n);
      return true;
    }
  }
  return false;
}

// Sets a singular or appends a repeated scalar from JSON. Returns an error text or "".
std::string SetScalar(Message* m, const FieldDescriptor* f, const nlohmann::json& v,
                      std::vector<status::Violation>* errors, const std::string& path,
                      std::set<std::string>* present) {
  const Reflection* r = m->GetReflection();
  bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      if (!v.is_string()) return "must be a string";
      std::string s = v.get<std::string>();
      if (f->type() == FieldDescriptor::TYPE_BYTES) {
        std::string raw;
        if (!Unbase64(s, &raw)) return "must be base64";
        s = raw;
      } else if (!validate::ValidText(s)) {
        // Path and query values arrive percent-decoded as any bytes; JSON may carry \u0000.
        return "must be UTF-8 text without NUL characters";
      }
      rep ? r->AddString(m, f, s) : r->SetString(m, f, s);
      return "";
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      if (!v.is_boolean()) return "must be true or false";
      rep ? r->AddBool(m, f, v.get<bool>()) : r->SetBool(m, f, v.get<bool>());
      return "";
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64: {
      long double x;
      if (v.is_number_integer()) {
        x = v.is_number_unsigned() ? static_cast<long double>(v.get<uint64_t>())
                                   : static_cast<long double>(v.get<int64_t>());
      } else if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()) {
        x = v.get<double>();
      } else {
        return "must be an integer";
      }
      long double lo, hi;
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_INT32:
          lo = INT32_MIN;
          hi = INT32_MAX;
          break;
        case FieldDescriptor::CPPTYPE_UINT32:
          lo = 0;
          hi = UINT32_MAX;
          break;
        case FieldDescriptor::CPPTYPE_UINT64:
          lo = 0;
          hi = 9007199254740991.0L;
          break;
        default:
          lo = -9007199254740991.0L;
          hi = 9007199254740991.0L;
      }
      if (x < lo || x > hi) return "is out of range";
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_INT32:
          rep ? r->AddInt32(m, f, static_cast<int32_t>(x))
              : r->SetInt32(m, f, static_cast<int32_t>(x));
          break;
        case FieldDescriptor::CPPTYPE_UINT32:
          rep ? r->AddUInt32(m, f, static_cast<uint32_t>(x))
              : r->SetUInt32(m, f, static_cast<uint32_t>(x));
          break;
        case FieldDescriptor::CPPTYPE_UINT64:
          rep ? r->AddUInt64(m, f, static_cast<uint64_t>(x))
              : r->SetUInt64(m, f, static_cast<uint64_t>(x));
          break;
        default:
          rep ? r->AddInt64(m, f, static_cast<int64_t>(x))
              : r->SetInt64(m, f, static_cast<int64_t>(x));
      }
      return "";
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      if (!v.is_number()) return "must be a number";
      double d = v.get<double>();
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
        rep ? r->AddDouble(m, f, d) : r->SetDouble(m, f, d);
      } else {
        rep ? r->AddFloat(m, f, static_cast<float>(d)) : r->SetFloat(m, f, static_cast<float>(d));
      }
      return "";
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      if (!v.is_string()) return "must be one of: " + EnumChoices(f->enum_type());
      const auto* ev = FindEnum(f->enum_type(), v.get<std::string>());
      if (ev == nullptr) return "must be one of: " + EnumChoices(f->enum_type());
      rep ? r->AddEnum(m, f, ev) : r->SetEnum(m, f, ev);
      return "";
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      Message* sub = rep ? r->AddMessage(m, f) : r->MutableMessage(m, f);
      if (IsTimestamp(f->message_type())) {
        if (!v.is_string() ||
            !ParseTimestamp(v.get<std::string>(), static_cast<google::protobuf::Timestamp*>(sub))) {
          return "must be an RFC 3339 date-time with offset, e.g. 2026-12-01T09:30:00+05:30";
        }
        return "";
      }
      if (!v.is_object()) return "must be an object";
      JsonToMessage(v, sub, errors, path + ".", present);
      return "";
    }
  }
  return "unsupported field type";
}

}  // namespace

std::string EnumJsonName(const google::protobuf::EnumValueDescriptor* v) {
  std::string prefix = UpperSnake(v->type()->name()) + "_";
  std::string name = v->name();
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  return Lower(name);
}

void JsonToMessage(const nlohmann::json& j, Message* out, std::vector<status::Violation>* errors,
                   const std::string& prefix, std::set<std::string>* present) {
  const Descriptor* d = out->GetDescriptor();
  if (!j.is_object()) {
    errors->push_back(
        {prefix.empty() ? "body" : prefix.substr(0, prefix.size() - 1), "must be a JSON object"});
    return;
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string path = prefix + it.key();
    const FieldDescriptor* f = d->FindFieldByName(it.key());
    if (f == nullptr || RulesOf(f).internal()) {
      errors->push_back({path, "unknown field"});
      continue;
    }
    const nlohmann::json& v = it.value();
    if (v.is_null()) continue;
    if (present != nullptr) present->insert(path);
    if (f->is_map()) {
      errors->push_back({path, "maps are not supported"});
      continue;
    }
    if (f->containing_oneof() != nullptr &&
        out->GetReflection()->HasOneof(*out, f->containing_oneof())) {
      errors->push_back(
          {path, "only one of the fields of '" + f->containing_oneof()->name() + "' may be given"});
      continue;
    }
    if (f->is_repeated()) {
      if (!v.is_array()) {
        errors->push_back({path, "must be an array"});
        continue;
      }
      for (size_t i = 0; i < v.size(); ++i) {
        std::string ipath = path + "[" + std::to_string(i) + "]";
        std::string e = SetScalar(out, f, v[i], errors, ipath, present);
        if (!e.empty()) errors->push_back({ipath, e});
      }
      continue;
    }
    std::string e = SetScalar(out, f, v, errors, path, present);
    if (!e.empty()) errors->push_back({path, e});
  }
}

bool SetFieldFromString(Message* msg, const FieldDescriptor* f, std::string_view value,
                        std::string* error) {
  nlohmann::json v;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
    case FieldDescriptor::CPPTYPE_ENUM:
    case FieldDescriptor::CPPTYPE_MESSAGE:
      v = std::string(value);
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      if (value == "true" || value == "1")
        v = true;
      else if (value == "false" || value == "0")
        v = false;
      else
        v = std::string(value);
      break;
    default: {
      v = nlohmann::json::parse(value, nullptr, false);
      if (v.is_discarded() || !v.is_number()) v = std::string(value);
    }
  }
  std::vector<status::Violation> nested;
  *error = SetScalar(msg, f, v, &nested, f->name(), nullptr);
  if (error->empty() && !nested.empty()) *error = nested[0].message;
  return error->empty();
}

namespace {

nlohmann::json ScalarToJson(const Message& m, const FieldDescriptor* f, int index) {
  const Reflection* r = m.GetReflection();
  bool rep = index >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string s = rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
      if (f->type() == FieldDescriptor::TYPE_BYTES) return Base64(s);
      return s;
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      return rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f);
    case FieldDescriptor::CPPTYPE_INT32:
      return rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f);
    case FieldDescriptor::CPPTYPE_INT64:
      return rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f);
    case FieldDescriptor::CPPTYPE_UINT32:
      return rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f);
    case FieldDescriptor::CPPTYPE_UINT64:
      return rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f);
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double d = f->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE
                     ? (rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f))
                     : (rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
      if (!std::isfinite(d)) return nullptr;
      return d;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* v = rep ? r->GetRepeatedEnum(m, f, index) : r->GetEnum(m, f);
      if (v->number() == 0) return nullptr;
      return EnumJsonName(v);
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& sub = rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f);
      if (IsTimestamp(sub.GetDescriptor())) {
        return FormatTimestamp(static_cast<const google::protobuf::Timestamp&>(sub));
      }
      return MessageToJson(sub);
    }
  }
  return nullptr;
}

}  // namespace

nlohmann::json MessageToJson(const Message& m) {
  nlohmann::json out = nlohmann::json::object();
  const Descriptor* d = m.GetDescriptor();
  const Reflection* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_repeated()) {
      auto arr = nlohmann::json::array();
      for (int k = 0; k < r->FieldSize(m, f); ++k) arr.push_back(ScalarToJson(m, f, k));
      out[f->name()] = std::move(arr);
      continue;
    }
    // Lists: the token is absent on the last page (DESIGN.md §4), like every empty string.
    if (!Emitted(m, f)) continue;
    out[f->name()] = ScalarToJson(m, f, -1);
  }
  return out;
}

namespace {

void AppendEscaped(std::string_view s, std::string* out) {
  static const char* hex = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(hex[c >> 4]);
          out->push_back(hex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));  // proto3 strings are valid UTF-8
        }
    }
  }
  out->push_back('"');
}

template <class T>
void AppendNumber(T v, std::string* out) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, ec == std::errc() ? end : buf);
}

// Appends one value; returns false when nothing should be written (unset enum).
bool AppendValue(const Message& m, const FieldDescriptor* f, int index, std::string* out) {
  const Reflection* r = m.GetReflection();
  bool rep = index >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& v = rep ? r->GetRepeatedStringReference(m, f, index, &scratch)
                                 : r->GetStringReference(m, f, &scratch);
      if (f->type() == FieldDescriptor::TYPE_BYTES)
        AppendEscaped(Base64(v), out);
      else
        AppendEscaped(v, out);
      return true;
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      out->append((rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false");
      return true;
    case FieldDescriptor::CPPTYPE_INT32:
      AppendNumber(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f), out);
      return true;
    case FieldDescriptor::CPPTYPE_INT64:
      AppendNumber(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f), out);
      return true;
    case FieldDescriptor::CPPTYPE_UINT32:
      AppendNumber(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f), out);
      return true;
    case FieldDescriptor::CPPTYPE_UINT64:
      AppendNumber(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f), out);
      return true;
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double d = f->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE
                     ? (rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f))
                     : (rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
      if (!std::isfinite(d))
        out->append("null");
      else
        AppendNumber(d, out);
      return true;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* v = rep ? r->GetRepeatedEnum(m, f, index) : r->GetEnum(m, f);
      if (v->number() == 0) {
        if (!rep) return false;
        out->append("null");
        return true;
      }
      AppendEscaped(EnumJsonName(v), out);
      return true;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& sub = rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f);
      if (IsTimestamp(sub.GetDescriptor())) {
        AppendEscaped(FormatTimestamp(static_cast<const google::protobuf::Timestamp&>(sub)), out);
      } else {
        AppendMessageJson(sub, out);
      }
      return true;
    }
  }
  out->append("null");
  return true;
}

}  // namespace

void AppendMessageJson(const Message& m, std::string* out) {
  const Descriptor* d = m.GetDescriptor();
  const Reflection* r = m.GetReflection();
  out->push_back('{');
  bool first = true;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (!f->is_repeated() && !Emitted(m, f)) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendEscaped(f->name(), out);
    out->push_back(':');
    if (f->is_repeated()) {
      out->push_back('[');
      int n = r->FieldSize(m, f);
      for (int k = 0; k < n; ++k) {
        if (k) out->push_back(',');
        AppendValue(m, f, k, out);
      }
      out->push_back(']');
    } else {
      AppendValue(m, f, -1, out);
    }
  }
  out->push_back('}');
}

}  // namespace healthtech::bff
