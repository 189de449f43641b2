#pragma once
// JSON <-> protobuf for the REST API, by reflection over the generated descriptors.
// The rules (also used to generate the OpenAPI schemas):
//  - field names are the proto names (snake_case);
//  - int64 is a JSON number; enums are lower-case names without their type prefix
//    ("APPOINTMENT_STATUS_PENDING_PAYMENT" -> "pending_payment"); Timestamps are RFC 3339;
//    bytes are base64;
//  - on output, fields with presence (optional, oneof, messages) appear only when set;
//    other scalars and repeated fields always appear;
//  - on input, unknown fields, wrong types and unspecified enum values are field errors.
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <nlohmann/json.hpp>

#include "healthtech/status/status.h"

namespace healthtech::bff {

// Fills `out` from a JSON object; appends field errors (path like "fees.first_visit").
void JsonToMessage(const nlohmann::json& j, google::protobuf::Message* out,
                   std::vector<status::Violation>* errors, const std::string& prefix = "");
// Sets one field from a text value (path or query parameter); false if not convertible.
bool SetFieldFromString(google::protobuf::Message* msg, const google::protobuf::FieldDescriptor* f,
                        std::string_view value, std::string* error);
nlohmann::json MessageToJson(const google::protobuf::Message& m);
// The same rendering written straight into a string (no DOM): the response hot path.
void AppendMessageJson(const google::protobuf::Message& m, std::string* out);

std::string EnumJsonName(const google::protobuf::EnumValueDescriptor* v);
// JSON Schema (OpenAPI 3.1) of a message, registering nested messages in `components`.
nlohmann::json SchemaFor(const google::protobuf::Descriptor* d, nlohmann::json* components,
                         const std::vector<std::string>& exclude_fields = {});

}  // namespace healthtech::bff
