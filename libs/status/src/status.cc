#include "healthtech/status/status.h"

#include "healthtech/status/error_codes.h"

#include <cctype>

#include <absl/strings/cord.h>
#include <nlohmann/json.hpp>

#include "healthtech/common/v1/common.pb.h"

namespace healthtech::status {
namespace {

constexpr char kPayloadUrl[] = "type.healthtech.dev/healthtech.common.v1.ErrorDetails";

common::v1::ErrorDetails DetailsOf(const absl::Status& s) {
  common::v1::ErrorDetails details;
  if (auto payload = s.GetPayload(kPayloadUrl)) {
    details.ParseFromString(std::string(*payload));
  }
  return details;
}

std::string DefaultReason(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "INTERNAL";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "VALIDATION_FAILED";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "CONFLICT";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "FORBIDDEN";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RATE_LIMITED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "CONFLICT";
    case grpc::StatusCode::ABORTED:
      return "CONFLICT";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "VALIDATION_FAILED";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "NOT_IMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "SERVICE_UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "INTERNAL";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "AUTH_REQUIRED";
    default:
      return "INTERNAL";
  }
}

}  // namespace

absl::Status Error(absl::StatusCode code, std::string_view reason, std::string_view message,
                   std::vector<Violation> violations, int retry_after_seconds) {
  absl::Status s(code, absl::string_view(message.data(), message.size()));
  common::v1::ErrorDetails details;
  details.set_reason(std::string(reason));
  details.set_retry_after_seconds(retry_after_seconds);
  for (auto& v : violations) {
    auto* fv = details.add_field_violations();
    fv->set_field(v.field);
    fv->set_message(v.message);
  }
  s.SetPayload(kPayloadUrl, absl::Cord(details.SerializeAsString()));
  return s;
}

std::string ReasonOf(const absl::Status& s) {
  std::string reason = DetailsOf(s).reason();
  if (reason.empty()) reason = DefaultReason(static_cast<grpc::StatusCode>(s.code()));
  return reason;
}

std::vector<Violation> ViolationsOf(const absl::Status& s) {
  std::vector<Violation> out;
  const common::v1::ErrorDetails details = DetailsOf(s);
  for (const auto& fv : details.field_violations()) out.push_back({fv.field(), fv.message()});
  return out;
}

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  auto details = DetailsOf(s);
  if (details.reason().empty()) {
    details.set_reason(DefaultReason(static_cast<grpc::StatusCode>(s.code())));
  }
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()),
                      details.SerializeAsString());
}

int HttpStatusFromGrpcCode(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::UNKNOWN:
      return 500;
    case grpc::StatusCode::INVALID_ARGUMENT:
      return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::FAILED_PRECONDITION:
      return 400;
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::INTERNAL:
      return 500;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::DATA_LOSS:
      return 500;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    default:
      return 500;
  }
}

std::string_view HttpReasonPhrase(int s) {
  switch (s) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 426:
      return "Upgrade Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 499:
      return "Client Closed Request";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Error";
  }
}

Problem MakeProblem(int http_status, std::string code, std::string detail,
                    std::vector<Violation> errors) {
  Problem p;
  p.http_status = http_status;
  p.code = std::move(code);
  p.title = std::string(HttpReasonPhrase(http_status));
  p.detail = std::move(detail);
  p.errors = std::move(errors);
  return p;
}

Problem ProblemFromGrpc(const grpc::Status& s) {
  common::v1::ErrorDetails details;
  if (!s.error_details().empty()) details.ParseFromString(s.error_details());
  Problem p;
  p.http_status = HttpStatusFromGrpcCode(s.error_code());
  p.code = details.reason().empty() ? DefaultReason(s.error_code()) : details.reason();
  // One status per code, whatever service raised it (error_codes.h).
  if (const auto* e = FindErrorCode(p.code)) p.http_status = e->http_status;
  p.title = std::string(HttpReasonPhrase(p.http_status));
  p.retry_after_seconds = details.retry_after_seconds();
  switch (s.error_code()) {
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::DATA_LOSS:
      p.code = "INTERNAL";
      p.detail = "Internal error.";
      return p;
    case grpc::StatusCode::UNAVAILABLE:
      if (details.reason().empty())
        p.detail = "The service is temporarily unavailable.";
      else
        p.detail = s.error_message();
      return p;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      p.detail = "The service did not answer in time.";
      return p;
    default:
      break;
  }
  p.detail = s.error_message();
  for (const auto& fv : details.field_violations()) p.errors.push_back({fv.field(), fv.message()});
  return p;
}

std::string KebabCase(std::string_view reason) {
  std::string out;
  out.reserve(reason.size());
  for (char c : reason) {
    out.push_back(c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

std::string ProblemJson(const Problem& p, std::string_view request_id) {
  nlohmann::json j = {
      {"type", "https://healthtech.dev/errors/" + KebabCase(p.code)},
      {"title", p.title},
      {"status", p.http_status},
      {"detail", p.detail},
      {"code", p.code},
      {"request_id", request_id},
  };
  if (!p.errors.empty()) {
    auto arr = nlohmann::json::array();
    for (const auto& e : p.errors) arr.push_back({{"field", e.field}, {"message", e.message}});
    j["errors"] = std::move(arr);
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace healthtech::status
