#include "healthtech/status/status.h"

#include "healthtech/status/error_codes.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace healthtech::status {
namespace {

TEST(HttpStatusFromGrpcCode, FollowsGoogleApiTable) {
  using C = grpc::StatusCode;
  const std::pair<C, int> cases[] = {
      {C::OK, 200},
      {C::CANCELLED, 499},
      {C::UNKNOWN, 500},
      {C::INVALID_ARGUMENT, 400},
      {C::DEADLINE_EXCEEDED, 504},
      {C::NOT_FOUND, 404},
      {C::ALREADY_EXISTS, 409},
      {C::PERMISSION_DENIED, 403},
      {C::RESOURCE_EXHAUSTED, 429},
      {C::FAILED_PRECONDITION, 400},
      {C::ABORTED, 409},
      {C::OUT_OF_RANGE, 400},
      {C::UNIMPLEMENTED, 501},
      {C::INTERNAL, 500},
      {C::UNAVAILABLE, 503},
      {C::DATA_LOSS, 500},
      {C::UNAUTHENTICATED, 401},
  };
  for (auto [code, http] : cases) EXPECT_EQ(HttpStatusFromGrpcCode(code), http) << code;
}

TEST(Status, ReasonAndViolationsSurviveTheGrpcHop) {
  absl::Status s =
      InvalidArgument("VALIDATION_FAILED", "bad input", {{"email", "must be an email address"}});
  grpc::Status g = ToGrpc(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  Problem p = ProblemFromGrpc(g);
  EXPECT_EQ(p.http_status, 400);
  EXPECT_EQ(p.code, "VALIDATION_FAILED");
  EXPECT_EQ(p.detail, "bad input");
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].field, "email");
  EXPECT_EQ(ReasonOf(s), "VALIDATION_FAILED");
}

TEST(Status, InternalDetailNeverReachesClient) {
  grpc::Status g = ToGrpc(Internal("pqxx: relation iam.users does not exist"));
  Problem p = ProblemFromGrpc(g);
  EXPECT_EQ(p.http_status, 500);
  EXPECT_EQ(p.code, "INTERNAL");
  EXPECT_EQ(p.detail.find("pqxx"), std::string::npos);
  grpc::Status unknown(grpc::StatusCode::UNKNOWN, "stack trace here");
  EXPECT_EQ(ProblemFromGrpc(unknown).detail.find("stack"), std::string::npos);
}

TEST(Status, UnavailableWithoutReasonIsGeneric) {
  grpc::Status g(grpc::StatusCode::UNAVAILABLE, "failed to connect to all addresses; 10.0.0.3");
  Problem p = ProblemFromGrpc(g);
  EXPECT_EQ(p.http_status, 503);
  EXPECT_EQ(p.detail.find("10.0.0.3"), std::string::npos);
}

TEST(ErrorCodes, OneStatusPerCodeWhateverTheGrpcCode) {
  // A state conflict raised as FAILED_PRECONDITION (400 by the gRPC table) is still a 409.
  Problem p = ProblemFromGrpc(ToGrpc(
      Error(absl::StatusCode::kFailedPrecondition, "THREAD_LOCKED", "The thread is locked.")));
  EXPECT_EQ(p.http_status, 409);
  EXPECT_EQ(p.title, "Conflict");
  // Without a reason, the default codes are registered ones too.
  for (auto code : {grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::NOT_FOUND,
                    grpc::StatusCode::PERMISSION_DENIED, grpc::StatusCode::UNAVAILABLE,
                    grpc::StatusCode::DEADLINE_EXCEEDED, grpc::StatusCode::ABORTED,
                    grpc::StatusCode::UNAUTHENTICATED, grpc::StatusCode::INTERNAL}) {
    Problem d = ProblemFromGrpc(grpc::Status(code, "x"));
    ASSERT_NE(FindErrorCode(d.code), nullptr) << d.code;
    EXPECT_EQ(FindErrorCode(d.code)->http_status, d.http_status) << d.code;
  }
  EXPECT_EQ(FindErrorCode("NO_SUCH_CODE"), nullptr);
  // Sorted and unique: the lookup relies on it.
  const auto& all = ErrorCodes();
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].code, all[i].code);
}

TEST(ProblemJson, HasRfc9457ShapeWithExtensions) {
  Problem p = MakeProblem(409, "SLOT_UNAVAILABLE", "taken", {{"start", "no longer free"}});
  auto j = nlohmann::json::parse(ProblemJson(p, "req-1"));
  EXPECT_EQ(j["type"], "https://healthtech.dev/errors/slot-unavailable");
  EXPECT_EQ(j["title"], "Conflict");
  EXPECT_EQ(j["status"], 409);
  EXPECT_EQ(j["detail"], "taken");
  EXPECT_EQ(j["code"], "SLOT_UNAVAILABLE");
  EXPECT_EQ(j["request_id"], "req-1");
  EXPECT_EQ(j["errors"][0]["field"], "start");
}

TEST(ProblemJson, OmitsEmptyErrors) {
  auto j = nlohmann::json::parse(ProblemJson(MakeProblem(404, "NOT_FOUND", "x"), "r"));
  EXPECT_FALSE(j.contains("errors"));
}

}  // namespace
}  // namespace healthtech::status
