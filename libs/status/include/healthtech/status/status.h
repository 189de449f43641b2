#pragma once
// The platform's error model, in one place:
//   domain/storage code returns absl::Status carrying a stable UPPER_SNAKE reason and
//   field violations; the gRPC edge turns it into grpc::Status (details in
//   healthtech.common.v1.ErrorDetails); the BFF turns that into an RFC 9457 problem.
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <grpcpp/support/status.h>

namespace healthtech::status {

struct Violation {
  std::string field;
  std::string message;
};

// Builds a status with a reason (e.g. "EMAIL_TAKEN") and optional field violations.
absl::Status Error(absl::StatusCode code, std::string_view reason, std::string_view message,
                   std::vector<Violation> violations = {}, int retry_after_seconds = 0);

inline absl::Status InvalidArgument(std::string_view reason, std::string_view message,
                                    std::vector<Violation> violations = {}) {
  return Error(absl::StatusCode::kInvalidArgument, reason, message, std::move(violations));
}
// The platform's answer to a request with invalid fields (400 VALIDATION_FAILED).
inline absl::Status ValidationFailed(std::vector<Violation> violations) {
  return InvalidArgument("VALIDATION_FAILED", "The request has invalid fields.",
                         std::move(violations));
}
inline absl::Status NotFound(std::string_view reason, std::string_view message) {
  return Error(absl::StatusCode::kNotFound, reason, message);
}
inline absl::Status AlreadyExists(std::string_view reason, std::string_view message) {
  return Error(absl::StatusCode::kAlreadyExists, reason, message);
}
inline absl::Status Unauthenticated(std::string_view reason, std::string_view message) {
  return Error(absl::StatusCode::kUnauthenticated, reason, message);
}
inline absl::Status PermissionDenied(std::string_view reason, std::string_view message) {
  return Error(absl::StatusCode::kPermissionDenied, reason, message);
}
inline absl::Status FailedPrecondition(std::string_view reason, std::string_view message) {
  return Error(absl::StatusCode::kFailedPrecondition, reason, message);
}
inline absl::Status Conflict(std::string_view reason, std::string_view message) {
  return Error(absl::StatusCode::kAborted, reason, message);
}
inline absl::Status ResourceExhausted(std::string_view reason, std::string_view message,
                                      int retry_after_seconds) {
  return Error(absl::StatusCode::kResourceExhausted, reason, message, {}, retry_after_seconds);
}
inline absl::Status Unavailable(std::string_view reason, std::string_view message) {
  return Error(absl::StatusCode::kUnavailable, reason, message);
}
// For unexpected failures; the message is logged by the edge, never shown to clients.
inline absl::Status Internal(std::string_view message) {
  return Error(absl::StatusCode::kInternal, "INTERNAL", message);
}

std::string ReasonOf(const absl::Status& s);
std::vector<Violation> ViolationsOf(const absl::Status& s);

// absl::Status -> grpc::Status with ErrorDetails in error_details().
grpc::Status ToGrpc(const absl::Status& s);

// gRPC code -> HTTP status, Google API design table (Envoy's grpc/status.cc).
int HttpStatusFromGrpcCode(grpc::StatusCode code);

// An RFC 9457 problem, as the BFF sends it.
struct Problem {
  int http_status = 500;
  std::string code;   // stable machine reason, e.g. "SLOT_UNAVAILABLE"
  std::string title;  // short summary for the HTTP status
  std::string detail;
  std::vector<Violation> errors;
  int retry_after_seconds = 0;
};

// Builds the client-facing problem from a downstream gRPC status: internal details of
// 5xx codes are replaced by generic text.
Problem ProblemFromGrpc(const grpc::Status& s);
Problem MakeProblem(int http_status, std::string code, std::string detail,
                    std::vector<Violation> errors = {});
// application/problem+json body.
std::string ProblemJson(const Problem& p, std::string_view request_id);
// "SLOT_UNAVAILABLE" -> "slot-unavailable".
std::string KebabCase(std::string_view reason);
std::string_view HttpReasonPhrase(int http_status);

}  // namespace healthtech::status
