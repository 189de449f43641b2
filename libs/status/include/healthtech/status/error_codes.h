#pragma once
// Every problem code the platform answers, with its one HTTP status. The BFF sends the status
// from here (so a code means the same status whatever service raised it), the OpenAPI
// document lists these codes (Problem.code) and each operation's own, and a response
// carrying a code missing from here is counted and logged as a contract bug.
//
// Status choices: invalid input 400; no or bad credentials 401; a visible but forbidden
// action 403 (one code, FORBIDDEN, unless a client would act differently); a hidden or
// absent resource 404; a state conflict (the request is fine, the resource's state forbids
// it now) 409; limits 413/415/429/431; our failures 500/502/503/504.
#include <string_view>
#include <vector>

namespace healthtech::status {

struct ErrorCode {
  std::string_view code;
  int http_status;
  std::string_view meaning;  // one line, for the document
};

const std::vector<ErrorCode>& ErrorCodes();
// nullptr when `code` is not registered.
const ErrorCode* FindErrorCode(std::string_view code);

}  // namespace healthtech::status
