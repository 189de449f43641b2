// The OpenAPI 3.1 document, generated from the route table, the proto descriptors, their
// comments (an embedded descriptor set with source info) and the contract declared on them
// (contract.h): what each request requires and allows, what each response always holds,
// and which statuses and problem codes each operation can answer. Nothing here is written
// by hand per operation, so the document cannot drift from what the server does.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <nlohmann/json.hpp>

#include "app.h"
#include "contract.h"
#include "healthtech/status/error_codes.h"
#include "openapi_docs.h"
#include "transcode.h"

namespace healthtech::bff {

std::string_view ApiDescriptorSet();  // api_descriptors.cc (generated)

namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;
using openapi::Docs;

std::string ComponentName(const Descriptor* d, bool input) {
  std::string name = d->full_name();
  for (auto& c : name)
    if (c == '.') c = '_';
  // A request message is only ever an input; other messages an input get their own schema
  // ("…Input"): what a client must send differs from what a response always holds.
  bool request = name.size() > 7 && name.compare(name.size() - 7, 7, "Request") == 0;
  return input && !request ? name + "Input" : name;
}

bool IsTimestamp(const Descriptor* d) { return d->full_name() == "google.protobuf.Timestamp"; }

class Schemas {
 public:
  Schemas(const Docs& docs, nlohmann::json* components) : docs_(docs), components_(components) {}

  // A $ref to the component of `d`, generating it (and what it refers to) once.
  nlohmann::json Ref(const Descriptor* d, bool input, const std::vector<std::string>& exclude = {},
                     const std::string& name_override = "") {
    std::string name = name_override.empty() ? ComponentName(d, input) : name_override;
    if (!components_->contains(name)) {
      (*components_)[name] = nlohmann::json::object();  // placeholder against recursion
      (*components_)[name] = Message(d, input, exclude);
    }
    return {{"$ref", "#/components/schemas/" + name}};
  }

  nlohmann::json Message(const Descriptor* d, bool input, const std::vector<std::string>& exclude) {
    nlohmann::json props = nlohmann::json::object();
    auto required = nlohmann::json::array();
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      const auto& rules = RulesOf(f);
      if (rules.internal() || (input && !rules.source().empty())) continue;
      if (std::find(exclude.begin(), exclude.end(), f->name()) != exclude.end()) continue;
      props[f->name()] = Field(f, input);
      if (input ? rules.required() : AlwaysInResponse(f)) required.push_back(f->name());
    }
    nlohmann::json s = {{"type", "object"}, {"additionalProperties", false}, {"properties", props}};
    if (!required.empty()) s["required"] = required;
    if (auto doc = docs_.Of(d->full_name()); !doc.empty()) s["description"] = doc;
    return s;
  }

  // transcode.h's output rules: lists, numbers and booleans always; strings, enums and
  // messages when the contract marks them required (always set by the service).
  static bool AlwaysInResponse(const FieldDescriptor* f) {
    if (f->is_repeated()) return true;
    if (f->has_presence()) return RulesOf(f).required();  // messages, proto3 optional
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
      case FieldDescriptor::CPPTYPE_ENUM:
        return RulesOf(f).required();
      default:
        return true;
    }
  }

  nlohmann::json Field(const FieldDescriptor* f, bool input) {
    const auto& rules = RulesOf(f);
    nlohmann::json s = Scalar(f, input);
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING &&
        f->type() != FieldDescriptor::TYPE_BYTES) {
      // A required string is a non-empty one (contract.h): the document says so.
      uint32_t min = rules.min_length();
      if (input && rules.required() && min == 0) min = 1;
      ApplyText(rules, f->is_repeated() ? rules.item_max_length() : rules.max_length(),
                f->is_repeated() ? 0 : min, &s);
    }
    if (IsNumber(f)) {
      // An integer's bounds are written as integers (100, not 100.0).
      auto bound = [&](double v) -> nlohmann::json {
        bool integral = f->cpp_type() != FieldDescriptor::CPPTYPE_DOUBLE &&
                        f->cpp_type() != FieldDescriptor::CPPTYPE_FLOAT;
        if (integral) return static_cast<int64_t>(v);
        return v;
      };
      if (rules.has_minimum()) s["minimum"] = bound(rules.minimum());
      if (rules.has_maximum()) s["maximum"] = bound(rules.maximum());
    }
    if (f->is_repeated()) {
      s = {{"type", "array"}, {"items", s}};
      // A required list is a non-empty one.
      uint32_t min = std::max<uint32_t>(rules.min_length(), rules.required() ? 1 : 0);
      if (input && min > 0) s["minItems"] = min;
      if (input && rules.max_length() > 0) s["maxItems"] = rules.max_length();
    }
    std::string doc = docs_.Of(f->full_name());
    if (!doc.empty() && !s.contains("$ref")) s["description"] = doc;
    if (!doc.empty() && s.contains("$ref")) s = {{"allOf", {s}}, {"description", doc}};
    if (!rules.example().empty()) s["examples"] = {Example(f, rules.example())};
    return s;
  }

 private:
  static bool IsNumber(const FieldDescriptor* f) {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
      case FieldDescriptor::CPPTYPE_INT64:
      case FieldDescriptor::CPPTYPE_UINT32:
      case FieldDescriptor::CPPTYPE_UINT64:
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT:
        return true;
      default:
        return false;
    }
  }

  static nlohmann::json Example(const FieldDescriptor* f, const std::string& text) {
    if (IsNumber(f)) {
      auto j = nlohmann::json::parse(text, nullptr, false);
      if (!j.is_discarded()) return j;
    }
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) return text == "true";
    return text;
  }

  static void ApplyText(const common::v1::FieldRules& rules, uint32_t max, uint32_t min,
                        nlohmann::json* s) {
    const std::string& fmt = rules.format();
    if (fmt == "uuid" || fmt == "date" || fmt == "email" || fmt == "uri") (*s)["format"] = fmt;
    if (fmt == "local_time") (*s)["pattern"] = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$";
    if (fmt == "e164") (*s)["pattern"] = "^\\+[1-9][0-9]{7,14}$";
    if (fmt == "language") (*s)["pattern"] = "^[a-z]{2}$";
    if (fmt == "currency") (*s)["pattern"] = "^[A-Z]{3}$";
    if (min > 0) (*s)["minLength"] = min;
    if (max > 0) (*s)["maxLength"] = max;
    if (rules.one_of_size() > 0) {
      (*s)["enum"] = nlohmann::json::array();
      for (const auto& o : rules.one_of()) (*s)["enum"].push_back(o);
    }
  }

  nlohmann::json Scalar(const FieldDescriptor* f, bool input) {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        if (f->type() == FieldDescriptor::TYPE_BYTES)
          return {{"type", "string"}, {"contentEncoding", "base64"}};
        return {{"type", "string"}};
      case FieldDescriptor::CPPTYPE_BOOL:
        return {{"type", "boolean"}};
      case FieldDescriptor::CPPTYPE_INT32:
        return {{"type", "integer"}, {"format", "int32"}};
      case FieldDescriptor::CPPTYPE_UINT32:
        return {{"type", "integer"}, {"format", "int32"}, {"minimum", 0}};
      case FieldDescriptor::CPPTYPE_INT64:
      case FieldDescriptor::CPPTYPE_UINT64:
        return {{"type", "integer"}, {"format", "int64"}};
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT:
        return {{"type", "number"}};
      case FieldDescriptor::CPPTYPE_ENUM: {
        auto values = nlohmann::json::array();
        for (int i = 0; i < f->enum_type()->value_count(); ++i) {
          if (f->enum_type()->value(i)->number() != 0)
            values.push_back(EnumJsonName(f->enum_type()->value(i)));
        }
        nlohmann::json s = {{"type", "string"}, {"enum", values}};
        if (auto doc = docs_.Of(f->enum_type()->full_name()); !doc.empty()) s["description"] = doc;
        return s;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (IsTimestamp(f->message_type()))
          return {
              {"type", "string"},
              {"format", "date-time"},
              {"description", input ? "RFC 3339 with an offset" : "RFC 3339, UTC, whole seconds"}};
        return Ref(f->message_type(), input);
    }
    return nlohmann::json::object();
  }

  const Docs& docs_;
  nlohmann::json* components_;
};

std::string OperationId(const Route& r) {
  std::string id = r.service + r.rpc.substr(r.rpc.rfind('.') + 1);
  // One RPC behind several literal paths (a webhook per gateway, an endpoint per UHI
  // action): each path its own operation, named by the values it fixes ("uhiReceiveOnUpdate").
  for (const auto& [field, value] : r.fixed_fields) {
    bool upper = true;
    for (char c : value) {
      if (!std::isalnum(static_cast<unsigned char>(c))) {
        upper = true;
        continue;
      }
      id += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    }
  }
  return id;
}

nlohmann::json HeaderRef(const std::string& name) {
  return {{"$ref", "#/components/headers/" + name}};
}

nlohmann::json ParameterRef(const std::string& name) {
  return {{"$ref", "#/components/parameters/" + name}};
}

// One response per HTTP status the codes carry, each a Problem whose `code` is one of them
// (each code has one status: libs/status error_codes.cc). Many operations share a set, so
// each distinct one is a component, named by its status and a hash of its codes
// ("NotFound_1a2b3c4d"), and operations refer to it.
void AddProblemResponses(const std::vector<std::string>& codes, nlohmann::json* responses,
                         nlohmann::json* components) {
  std::map<int, std::set<std::string>> by_status;
  for (const auto& c : codes) {
    const auto* e = status::FindErrorCode(c);
    by_status[e ? e->http_status : 500].insert(c);
  }
  for (const auto& [http, set] : by_status) {
    nlohmann::json code_enum = nlohmann::json::array();
    std::string description;
    for (const auto& c : set) {
      code_enum.push_back(c);
      const auto* e = status::FindErrorCode(c);
      description += "`" + c + "`: " + std::string(e ? e->meaning : "") + "\n";
    }
    nlohmann::json headers = {{"X-Request-Id", HeaderRef("XRequestId")},
                              {"traceresponse", HeaderRef("Traceresponse")}};
    if (http == 429 || http == 503) headers["Retry-After"] = HeaderRef("RetryAfter");
    nlohmann::json code_schema = {{"type", "string"}, {"enum", code_enum}};
    nlohmann::json schema = nlohmann::json::object();
    schema["allOf"] = nlohmann::json::array({{{"$ref", "#/components/schemas/Problem"}}});
    schema["properties"] = {{"code", code_schema}};
    nlohmann::json response = nlohmann::json::object();
    response["description"] = description;
    response["headers"] = headers;
    response["content"]["application/problem+json"]["schema"] = schema;
    uint32_t hash = 2166136261u;  // FNV-1a over the codes: a name that stays put
    for (const auto& c : set) {
      for (unsigned char ch : c + ",") hash = (hash ^ ch) * 16777619u;
    }
    std::string name;
    for (char ch : status::HttpReasonPhrase(http)) {
      if (std::isalnum(static_cast<unsigned char>(ch))) name += ch;
    }
    char suffix[10];
    std::snprintf(suffix, sizeof suffix, "_%08x", hash);
    name += suffix;
    (*components)[name] = response;
    (*responses)[std::to_string(http)] = {{"$ref", "#/components/responses/" + name}};
  }
}

}  // namespace

std::string BuildOpenApi(const Router& router) {
  static const Docs docs;
  nlohmann::json components = nlohmann::json::object();
  Schemas schemas(docs, &components);
  nlohmann::json paths = nlohmann::json::object();
  nlohmann::json problem_responses = nlohmann::json::object();
  std::set<std::string> tags;

  for (const auto& r : router.routes()) {
    const MethodDescriptor* m = DescriptorPool::generated_pool()->FindMethodByName(r.rpc);
    if (m == nullptr) continue;
    const auto& mrules = RulesOf(m);
    const Descriptor* in = m->input_type();
    std::vector<std::string> bound;  // request fields the URL path gives
    for (const auto& [name, field] : r.param_fields) bound.push_back(field);

    nlohmann::json op = {
        {"operationId", OperationId(r)}, {"summary", r.summary}, {"tags", {r.tag}}};
    if (auto doc = docs.Of(m->full_name()); !doc.empty()) op["description"] = doc;
    tags.insert(r.tag);

    // Parameters: the path, then the query (reads, and raw uploads), then headers.
    nlohmann::json params = nlohmann::json::array();
    for (const auto& seg : r.segments) {
      if (seg.size() < 3 || seg.front() != '{') continue;
      std::string name = seg.substr(1, seg.find('}') - 1);
      const FieldDescriptor* f = in->FindFieldByName(r.param_fields.at(name));
      nlohmann::json p = {{"name", name}, {"in", "path"}, {"required", true}};
      p["schema"] = f ? schemas.Field(f, true) : nlohmann::json{{"type", "string"}};
      if (p["schema"].contains("description")) {
        p["description"] = p["schema"]["description"];
        p["schema"].erase("description");
      }
      params.push_back(p);
    }
    bool body_method = r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
    bool raw_upload = !r.raw_body_field.empty() && !r.raw_body_always;
    bool pages = in->FindFieldByName("page_token") != nullptr;
    if (!body_method || raw_upload) {
      for (int i = 0; i < in->field_count(); ++i) {
        const FieldDescriptor* f = in->field(i);
        const auto& rules = RulesOf(f);
        if (std::find(bound.begin(), bound.end(), f->name()) != bound.end()) continue;
        if (rules.internal() || !rules.source().empty()) continue;
        if (raw_upload && (f->name() == r.raw_body_field || f->name() == r.raw_content_type_field))
          continue;
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !IsTimestamp(f->message_type()))
          continue;
        nlohmann::json s = schemas.Field(f, true);
        nlohmann::json p = {{"name", f->name()}, {"in", "query"}, {"required", rules.required()}};
        if (s.contains("description")) {
          p["description"] = s["description"];
          s.erase("description");
        }
        p["schema"] = s;
        if (f->is_repeated()) {
          p["style"] = "form";
          p["explode"] = true;
        }
        params.push_back(p);
      }
    }
    if (mrules.idempotency_key()) {
      params.push_back(ParameterRef("IdempotencyKeyRequired"));
    }
    if (r.session_cookie != Route::SessionCookie::kNone) params.push_back(ParameterRef("XSession"));
    for (const auto& [header, field] : r.header_fields) {
      const FieldDescriptor* f = in->FindFieldByName(field);
      params.push_back({{"name", header},
                        {"in", "header"},
                        {"required", f != nullptr && RulesOf(f).required()},
                        {"description", f ? docs.Of(f->full_name()) : ""},
                        {"schema", {{"type", "string"}}}});
    }
    params.push_back(ParameterRef("XRequestId"));
    params.push_back(ParameterRef("Traceparent"));
    op["parameters"] = params;

    // The request body.
    std::vector<std::string> exclude = bound;
    if (r.raw_body_always) {
      op["requestBody"] = {
          {"required", true},
          {"description",
           !r.raw_body_description.empty()
               ? r.raw_body_description
               : "The gateway's event exactly as it sent it (Razorpay's webhook JSON: `id`, "
                 "`event`, `payload.payment.entity` or `payload.refund.entity`); the signature "
                 "is checked over these bytes."},
          {"content",
           {{"application/json",
             {{"schema", {{"type", "object"}, {"additionalProperties", true}}}}}}}};
    } else if (body_method ||
               (r.method == "DELETE" && in->field_count() > static_cast<int>(bound.size()))) {
      bool any_required = false;
      for (int i = 0; i < in->field_count(); ++i) {
        const FieldDescriptor* f = in->field(i);
        if (RulesOf(f).required() && RulesOf(f).source().empty() &&
            std::find(exclude.begin(), exclude.end(), f->name()) == exclude.end())
          any_required = true;
      }
      std::string name = ComponentName(in, true);
      nlohmann::json content;
      if (raw_upload) {
        // The file as the body (what the web app sends), or JSON with it in base64.
        for (const char* type : {"application/pdf", "image/png", "image/jpeg"})
          content[type] = {{"schema", {{"type", "string"}, {"format", "binary"}}}};
        content["application/json"] = {{"schema", schemas.Ref(in, true, exclude, name)}};
      } else {
        content["application/json"] = {{"schema", schemas.Ref(in, true, exclude, name)}};
      }
      op["requestBody"] = {{"required", raw_upload || any_required}, {"content", content}};
    }

    // Responses: success, then each status the operation's codes can carry.
    nlohmann::json responses = nlohmann::json::object();
    nlohmann::json ok_headers = {{"X-Request-Id", HeaderRef("XRequestId")},
                                 {"traceresponse", HeaderRef("Traceresponse")}};
    if (r.rate_limited) {
      ok_headers["RateLimit-Limit"] = HeaderRef("RateLimitLimit");
      ok_headers["RateLimit-Remaining"] = HeaderRef("RateLimitRemaining");
      ok_headers["RateLimit-Reset"] = HeaderRef("RateLimitReset");
    }
    if (r.session_cookie != Route::SessionCookie::kNone)
      ok_headers["Set-Cookie"] = HeaderRef("SetCookie");
    nlohmann::json ok_content;
    if (!r.raw_response_field.empty()) {
      bool pdf = r.raw_response_field == "pdf";
      if (pdf) {
        ok_content["application/pdf"] = {{"schema", {{"type", "string"}, {"format", "binary"}}}};
      } else {
        for (const char* type : {"application/pdf", "image/png", "image/jpeg"})
          ok_content[type] = {{"schema", {{"type", "string"}, {"format", "binary"}}}};
      }
      ok_headers["Content-Disposition"] = HeaderRef("ContentDisposition");
    } else {
      ok_content["application/json"] = {{"schema", schemas.Ref(m->output_type(), false)}};
    }
    responses[std::to_string(r.success_status)] = {
        {"description", "Success"}, {"headers", ok_headers}, {"content", ok_content}};
    std::vector<std::string> codes =
        CommonErrorCodes(r.auth || mrules.optional_auth(), body_method || r.method == "DELETE",
                         r.rate_limited, pages);
    for (const auto& c : mrules.errors()) codes.push_back(c);
    if (mrules.idempotency_key()) codes.push_back("IDEMPOTENCY_KEY_REUSED");
    AddProblemResponses(codes, &responses, &problem_responses);
    if (!r.raw_response_status_field.empty()) {
      // Another protocol's answers (UHI): its ACK/NACK as the body, whatever the status.
      nlohmann::json ack = {{"$ref", "#/components/schemas/UhiAck"}};
      auto add = [&](const std::string& status, const std::string& desc) {
        nlohmann::json& slot = responses[status];
        if (slot.contains("$ref")) {
          std::string ref = slot["$ref"];
          slot = problem_responses[ref.substr(ref.rfind('/') + 1)];
        }
        slot["description"] =
            desc + (slot.contains("description") ? "\n" + slot["description"].get<std::string>()
                                                 : std::string());
        if (!slot.contains("headers"))
          slot["headers"] = {{"X-Request-Id", HeaderRef("XRequestId")},
                             {"traceresponse", HeaderRef("Traceresponse")}};
        slot["content"]["application/json"]["schema"] = ack;
      };
      responses["200"] = {{"description", "ACK: received; the answer follows as a signed callback"},
                          {"headers",
                           {{"X-Request-Id", HeaderRef("XRequestId")},
                            {"traceresponse", HeaderRef("Traceresponse")}}},
                          {"content", {{"application/json", {{"schema", ack}}}}}};
      add("400",
          "NACK: the message breaks the network's rules (context, intent, a used message id).");
      add("401",
          "NACK UHI-1401, UHI-1405 or UHI-1406: the signature is missing, does not verify, "
          "or its signer is not registered.");
      add("404", "NACK: not an endpoint an HSPA serves.");
      add("503",
          "NACK: the network registry, the database or the HSPA itself cannot be reached "
          "for a moment; send again.");
    }
    op["responses"] = responses;
    if (r.auth) {
      op["security"] = nlohmann::json::array({{{"bearerAuth", nlohmann::json::array()}}});
    } else if (mrules.optional_auth()) {
      op["security"] = nlohmann::json::array(
          {nlohmann::json::object(), {{"bearerAuth", nlohmann::json::array()}}});
    } else {
      op["security"] = nlohmann::json::array();
    }
    std::string lower = r.method;
    for (auto& c : lower) c = static_cast<char>(std::tolower(c));
    paths[r.path][lower] = op;
  }

  auto simple = [&problem_responses](const std::string& id, const std::string& summary,
                                     const std::string& desc, bool may_fail) {
    nlohmann::json responses = {
        {"200",
         {{"description", desc},
          {"headers",
           {{"X-Request-Id", HeaderRef("XRequestId")},
            {"traceresponse", HeaderRef("Traceresponse")}}},
          {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}}};
    if (may_fail) {
      responses["503"] = {{"description", "Not ready: a service or Redis does not answer"},
                          {"headers",
                           {{"X-Request-Id", HeaderRef("XRequestId")},
                            {"traceresponse", HeaderRef("Traceresponse")}}},
                          {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    }
    // Every request is read the same way: bad framing or oversized headers are refused.
    AddProblemResponses({"BAD_REQUEST", "HEADERS_TOO_LARGE"}, &responses, &problem_responses);
    return nlohmann::json{{"get",
                           {{"operationId", id},
                            {"summary", summary},
                            {"tags", {"operations"}},
                            {"security", nlohmann::json::array()},
                            {"responses", responses}}}};
  };
  paths["/health"] = simple("health", "Liveness: the process serves", "Alive", false);
  paths["/ready"] =
      simple("ready", "Readiness: downstream services and Redis answer", "Ready", true);
  paths["/v1/openapi.json"] = simple("openapi", "This document", "OpenAPI 3.1 document", false);
  tags.insert("operations");

  auto all_codes = nlohmann::json::array();
  std::string code_table;
  for (const auto& e : status::ErrorCodes()) {
    all_codes.push_back(e.code);
    code_table += "`" + std::string(e.code) + "` (" + std::to_string(e.http_status) +
                  "): " + std::string(e.meaning) + "\n";
  }
  components["UhiAck"] = {
      {"type", "object"},
      {"description",
       "The Unified Health Interface's synchronous answer: `message.ack.status` ACK, or NACK "
       "with `error` (type, code such as UHI-1405, the JSON path at fault, and a message)."},
      {"required", {"message"}},
      {"properties",
       {{"message",
         {{"type", "object"},
          {"required", {"ack"}},
          {"properties",
           {{"ack",
             {{"type", "object"},
              {"required", {"status"}},
              {"properties", {{"status", {{"type", "string"}, {"enum", {"ACK", "NACK"}}}}}}}}}}}},
        {"error",
         {{"type", "object"},
          {"properties",
           {{"type", {{"type", "string"}}},
            {"code", {{"type", "string"}, {"example", "UHI-1405"}}},
            {"path", {{"type", "string"}}},
            {"message", {{"type", "string"}}}}}}}}}};
  components["Problem"] = {
      {"type", "object"},
      {"description",
       "RFC 9457 problem details with a stable `code` (each code always comes with the same "
       "status) and the `request_id`; `errors` names each invalid field.\n\n" +
           code_table},
      {"required", {"type", "title", "status", "detail", "code", "request_id"}},
      {"properties",
       {{"type", {{"type", "string"}, {"format", "uri"}}},
        {"title", {{"type", "string"}}},
        {"status", {{"type", "integer"}}},
        {"detail", {{"type", "string"}}},
        {"code", {{"type", "string"}, {"enum", all_codes}}},
        {"request_id", {{"type", "string"}}},
        {"errors",
         {{"type", "array"},
          {"items",
           {{"type", "object"},
            {"required", {"field", "message"}},
            {"properties",
             {{"field", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}}}}}}};

  nlohmann::json tag_list = nlohmann::json::array();
  for (const auto& t : tags)
    tag_list.push_back({{"name", t}, {"description", "HealthTech " + t + " endpoints"}});

  auto header = [](const std::string& description, nlohmann::json schema) {
    return nlohmann::json{{"description", description}, {"schema", schema}};
  };
  nlohmann::json headers = {
      {"XRequestId",
       header("The request's id (yours when you sent a valid X-Request-Id); also in problem "
              "bodies and the logs.",
              {{"type", "string"}})},
      {"Traceresponse",
       header("W3C trace context (level 2): the trace this request is part of, "
              "`00-<trace id>-<span id>-<flags>`; quote the trace id when reporting a problem.",
              {{"type", "string"}})},
      {"RateLimitLimit",
       header("Requests the tightest bucket allows in a burst.", {{"type", "integer"}})},
      {"RateLimitRemaining", header("Requests left in that bucket now.", {{"type", "integer"}})},
      {"RateLimitReset", header("Seconds until that bucket is full again.", {{"type", "integer"}})},
      {"RetryAfter", header("Seconds to wait before trying again.", {{"type", "integer"}})},
      {"SetCookie",
       header("With `X-Session: cookie`: the refresh token in an HttpOnly, SameSite=Strict "
              "cookie on /v1/auth (cleared on sign-out).",
              {{"type", "string"}})},
      {"ContentDisposition", header("attachment; filename=\"…\"", {{"type", "string"}})},
  };
  nlohmann::json parameters = {
      {"IdempotencyKeyRequired",
       {{"name", "Idempotency-Key"},
        {"in", "header"},
        {"required", true},
        {"description",
         "A new random value (a UUID) per intent, the same on every retry of it: the same key "
         "with the same body replays the first answer; with another body it is 409 "
         "IDEMPOTENCY_KEY_REUSED."},
        {"schema", {{"type", "string"}, {"minLength", 1}, {"maxLength", 255}}}}},
      {"XSession",
       {{"name", "X-Session"},
        {"in", "header"},
        {"required", false},
        {"description",
         "`cookie`: keep the refresh token in an HttpOnly cookie instead of the JSON body "
         "(browsers)."},
        {"schema", {{"type", "string"}, {"enum", {"cookie"}}}}}},
      {"XRequestId",
       {{"name", "X-Request-Id"},
        {"in", "header"},
        {"required", false},
        {"description", "Your id for this request (1–128 of A-Z a-z 0-9 - _ .); echoed back."},
        {"schema", {{"type", "string"}, {"maxLength", 128}}}}},
      {"Traceparent",
       {{"name", "traceparent"},
        {"in", "header"},
        {"required", false},
        {"description",
         "W3C trace context. The API starts a trace of its own, linked to a valid one you send "
         "(it does not take your trace id or sampling decision); `traceresponse` names it."},
        {"schema", {{"type", "string"}}}}},
  };

  nlohmann::json doc = {
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "HealthTech API"},
        {"version", "1.0.0"},
        {"description",
         "REST API of the HealthTech platform (Backend-for-Frontend). Errors are RFC 9457 "
         "problem details with a stable `code` and the `request_id`. Lists take `limit` "
         "(1–100, default 20) and `page_token` and answer `{items, next_page_token}` (no "
         "token on the last page). Times are RFC 3339 (UTC, whole seconds, in responses); "
         "money is `{amount_minor, currency}`. Calls that book time or move money need an "
         "`Idempotency-Key`."},
        {"license", {{"name", "Apache-2.0"}, {"identifier", "Apache-2.0"}}}}},
      {"servers",
       {{{"url", "https://api.healthtech.com"}, {"description", "production"}},
        {{"url", "https://staging-api.healthtech.com"}, {"description", "staging"}},
        {{"url", "/"}, {"description", "the server that served this document (development)"}}}},
      {"tags", tag_list},
      {"paths", paths},
      {"components",
       {{"schemas", components},
        {"headers", headers},
        {"parameters", parameters},
        {"responses", problem_responses},
        {"securitySchemes",
         {{"bearerAuth", {{"type", "http"}, {"scheme", "bearer"}, {"bearerFormat", "JWT"}}}}}}}};
  return doc.dump();
}

}  // namespace healthtech::bff
