// The message rules against the JSON Schemas NHA's gateway and reference HSPA execute
// (tests/schemas, CC0): what we send has exactly the context fields they allow and require,
// and what we require of a request is what they require.
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "healthtech/uhi/domain/messages.h"

namespace healthtech::uhi::domain {
namespace {

using nlohmann::json;

json Schema(const std::string& name) {
  std::ifstream in(std::string(UHI_SCHEMAS) + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return json::parse(s.str());
}

std::set<std::string> Strings(const json& array) {
  std::set<std::string> out;
  for (const auto& v : array) out.insert(v.get<std::string>());
  return out;
}

std::set<std::string> Keys(const json& object) {
  std::set<std::string> out;
  for (const auto& [k, v] : object.items()) out.insert(k);
  return out;
}

json Request() {
  return json{{"context",
               {{"domain", "nic2004:85111"},
                {"country", "IND"},
                {"city", "std:080"},
                {"action", "search"},
                {"core_version", "0.7.1"},
                {"consumer_id", "eua-test"},
                {"consumer_uri", "https://eua.example.in/api/v1/euaService"},
                {"message_id", "m-1"},
                {"transaction_id", "t-1"},
                {"timestamp", "2026-06-18T05:07:32.123Z"}}},
              {"message", json::object()}};
}

TEST(UhiSchemas, OnSearchContextIsExactlyWhatTheGatewayAllows) {
  const json c = Schema("gateway-on_search-schema.json")["properties"]["context"];
  ASSERT_EQ(c["additionalProperties"], false);
  const auto ctx = std::get<Context>(ParseContext(Request(), "search", {}));
  const json sent =
      CallbackContext(ctx, "on_search", "hspa.healthtech.in", "https://api.healthtech.in/uhi",
                      std::chrono::system_clock::now());
  EXPECT_EQ(Keys(sent), Strings(c["required"]));
  EXPECT_EQ(Keys(sent), Keys(c["properties"]));
  for (const auto& [k, v] : sent.items()) EXPECT_TRUE(v.is_string()) << k;
  // "^0.7.1+$", as NHA writes it.
  EXPECT_EQ(sent["core_version"], "0.7.1");
}

TEST(UhiSchemas, RequiredOfARequestAsTheSchemasRequire) {
  for (const char* file : {"gateway-search-schema.json", "hspa-context-schema.json"}) {
    SCOPED_TRACE(file);
    const json c = Schema(file)["properties"]["context"];
    const auto required = Strings(c["required"]);
    ASSERT_FALSE(required.empty());
    EXPECT_TRUE(std::holds_alternative<Context>(ParseContext(Request(), "search", {})));
    for (const auto& field : Keys(c["properties"])) {
      json r = Request();
      r["context"].erase(field);
      const auto parsed = ParseContext(r, "search", {});
      // Required by the schema ⇔ refused without it, naming the field.
      EXPECT_EQ(std::holds_alternative<Nack>(parsed), required.count(field) == 1) << field;
      if (std::holds_alternative<Nack>(parsed)) {
        EXPECT_EQ(std::get<Nack>(parsed).path, "context." + field);
      }
    }
  }
}

}  // namespace
}  // namespace healthtech::uhi::domain
