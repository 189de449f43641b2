#include "healthtech/config/config.h"

#include <map>

#include <gtest/gtest.h>

namespace healthtech::config {
namespace {

EnvReader Reader(std::map<std::string, std::string>* env) {
  return EnvReader("test-service", [env](const char* n) -> const char* {
    auto it = env->find(n);
    return it == env->end() ? nullptr : it->second.c_str();
  });
}

TEST(EnvReader, ReadsTypedValuesAndDefaults) {
  std::map<std::string, std::string> env = {
      {"GRPC_PORT", "50052"}, {"FLAG", "yes"}, {"LIST", "a, b,,c"}};
  auto r = Reader(&env);
  EXPECT_EQ(r.Int("GRPC_PORT", 50051, 1, 65535), 50052);
  EXPECT_EQ(r.Int("ADMIN_PORT", 9090, 1, 65535), 9090);
  EXPECT_TRUE(r.Bool("FLAG", false));
  EXPECT_EQ(r.List("LIST", ""), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(r.problems().empty());
}

TEST(EnvReader, ReportsEveryProblemOnce) {
  std::map<std::string, std::string> env = {
      {"GRPC_PORT", "abc"}, {"ADMIN_PORT", "70000"}, {"LOG_LEVEL", "loud"}};
  auto r = Reader(&env);
  r.Required("DATABASE_URL");
  r.Int("GRPC_PORT", 50051, 1, 65535);
  r.Int("ADMIN_PORT", 9090, 1, 65535);
  r.OneOf("LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  ASSERT_EQ(r.problems().size(), 4u);
  EXPECT_EQ(r.problems()[0], "DATABASE_URL: required but not set");
  EXPECT_NE(r.problems()[1].find("must be an integer"), std::string::npos);
  EXPECT_NE(r.problems()[2].find("between 1 and 65535"), std::string::npos);
}

TEST(EnvReader, RedactsSecrets) {
  std::map<std::string, std::string> env = {{"KEY", "s3cret"}};
  auto r = Reader(&env);
  EXPECT_EQ(r.Required("KEY", /*secret=*/true), "s3cret");
  EXPECT_EQ(r.redacted().at("KEY"), "<redacted>");
}

TEST(EnvReaderDeathTest, FinishExitsWithClearLine) {
  std::map<std::string, std::string> env;
  auto r = Reader(&env);
  r.Required("DATABASE_URL");
  EXPECT_EXIT(r.Finish(), testing::ExitedWithCode(2),
              "test-service: configuration error: DATABASE_URL: required but not set");
}

}  // namespace
}  // namespace healthtech::config
