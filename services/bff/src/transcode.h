#pragma once
// JSON <-> protobuf for the REST API, by reflection over the generated descriptors.
// The rules (also used to generate the OpenAPI schemas):
//  - field names are the proto names (snake_case);
//  - int64 is a JSON number; enums are lower-case names without their type prefix
//    ("APPOINTMENT_STATUS_PENDING_PAYMENT" -> "pending_payment"); Timestamps are RFC 3339;
//    bytes are base64;
//  - on output, fields with presence (optional, oneof, messages) appear only when set;
//    strings only when not empty (unless the contract marks them required); numbers,
//    booleans and lists always appear (a list may be empty); Timestamps are UTC with
//    whole seconds ("2026-12-05T06:00:00Z");
//  - on input, unknown fields, wrong types and unspecified enum values are field errors.
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <nlohmann/json.hpp>

#include "healthtech/status/status.h"

namespace healthtech::bff {

// Fills `out` from a JSON object; appends field errors (path like "fees.first_visit") and,
// when `present` is given, the path of every field the JSON gave a value (null is absent).
// Fields marked internal in the contract are unknown fields here.
void JsonToMessage(const nlohmann::json& j, google::protobuf::Message* out,
                   std::vector<status::Violation>* errors, const std::string& prefix = "",
                   std::set<std::string>* present = nullptr);
// Sets one field from a text value (path or query parameter); false if not convertible.
bool SetFieldFromString(google::protobuf::Message* msg, const google::protobuf::FieldDescriptor* f,
                        std::string_view value, std::string* error);
nlohmann::json MessageToJson(const google::protobuf::Message& m);
// The same rendering written straight into a string (no DOM): the response hot path.
void AppendMessageJson(const google::protobuf::Message& m, std::string* out);

std::string EnumJsonName(const google::protobuf::EnumValueDescriptor* v);

}  // namespace healthtech::bff
