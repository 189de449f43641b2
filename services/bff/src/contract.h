#pragma once
// The REST contract declared in the protos (healthtech/common/v1/api.proto): field rules
// (required, format, length, range, closed sets, internal) and method rules (problem codes,
// Idempotency-Key). The BFF checks every request against them in one pass, before a service
// is called, and the OpenAPI document is generated from the same rules (openapi.cc), so what
// is checked and what is documented cannot differ.
#include <set>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "healthtech/common/v1/api.pb.h"
#include "healthtech/status/status.h"

namespace healthtech::bff {

const common::v1::FieldRules& RulesOf(const google::protobuf::FieldDescriptor* f);
const common::v1::MethodRules& RulesOf(const google::protobuf::MethodDescriptor* m);

// Why `value` breaks the field's format, length or closed set ("" when it does not).
std::string CheckText(const common::v1::FieldRules& rules, std::string_view value);
// Why `value` is out of the field's range ("" when it is not).
std::string CheckNumber(const common::v1::FieldRules& rules, double value);

// Checks a request built from JSON, path, query and headers against every field rule.
// `present` holds the paths the client sent ("email", "address.city", "rules[0].weekday"):
// a required number or boolean counts as given only when its path is there; a required
// string, list or message also when it is not empty. Appends one violation per field.
void ValidateRequest(const google::protobuf::Message& m, const std::set<std::string>& present,
                     std::vector<status::Violation>* errors, const std::string& prefix = "");

// The codes every operation may answer, on top of its own (method rules): what the BFF
// itself can answer for any route of this kind.
std::vector<std::string> CommonErrorCodes(bool authenticated, bool has_body, bool rate_limited,
                                          bool pages);

}  // namespace healthtech::bff
