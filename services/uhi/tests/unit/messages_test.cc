#include "healthtech/uhi/domain/messages.h"

#include <gtest/gtest.h>

namespace healthtech::uhi::domain {
namespace {

using nlohmann::json;
using namespace std::chrono;

// Synthetic, in the shape of NHA's examples (never their people).
json Body(std::string_view action = "search") {
  return json{{"context",
               {{"domain", "nic2004:85111"},
                {"country", "IND"},
                {"city", "std:080"},
                {"action", action},
                {"core_version", "0.7.1"},
                {"consumer_id", "eua-test"},
                {"consumer_uri", "https://eua.example.in/api/v1/euaService"},
                {"message_id", "6f1a2b3c-0000-4000-8000-000000000001"},
                {"transaction_id", "6f1a2b3c-0000-4000-8000-0000000000aa"},
                {"timestamp", "2026-06-18T05:07:32.123Z"}}},
              {"message", json::object()}};
}

ContextRules Rules() {
  ContextRules r;
  r.provider_id = "hspa.healthtech.in";
  return r;
}

Nack NackOf(const Checked<Context>& c) {
  EXPECT_TRUE(std::holds_alternative<Nack>(c));
  return std::holds_alternative<Nack>(c) ? std::get<Nack>(c) : Nack{};
}

TEST(UhiEnvelope, AckAndNack) {
  // WIRE.md §3.6: the ACK carries an empty error object.
  EXPECT_EQ(json::parse(AckBody()),
            json::parse(R"({"message":{"ack":{"status":"ACK"}},"error":{}})"));
  const json n =
      json::parse(NackBody({"CONTEXT-ERROR", "UHI-1404", "context.city", "bad \"city\"", 400}));
  EXPECT_EQ(n["message"]["ack"]["status"], "NACK");
  EXPECT_EQ(n["error"]["type"], "CONTEXT-ERROR");
  EXPECT_EQ(n["error"]["code"], "UHI-1404");
  EXPECT_EQ(n["error"]["path"], "context.city");
  EXPECT_EQ(n["error"]["message"], "bad \"city\"");
}

TEST(UhiContext, AcceptsAWellFormedContext) {
  auto c = ParseContext(Body(), "search", Rules());
  ASSERT_TRUE(std::holds_alternative<Context>(c)) << std::get<Nack>(c).message;
  const auto& ctx = std::get<Context>(c);
  EXPECT_EQ(ctx.consumer_id, "eua-test");
  EXPECT_EQ(ctx.city, "std:080");
  EXPECT_TRUE(ctx.provider_id.empty());
  // The gateway adds our id on the way in.
  json b = Body();
  b["context"]["provider_id"] = "hspa.healthtech.in";
  EXPECT_TRUE(std::holds_alternative<Context>(ParseContext(b, "search", Rules())));
}

TEST(UhiContext, RefusesWhatNhaSchemasRefuse) {
  struct Case {
    const char* field;
    json value;
    const char* path;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"action", "init", "context.action"},
           {"core_version", "0.9.3", "context.core_version"},
           {"domain", "nic2004:60212", "context.domain"},
           {"country", "USA", "context.country"},
           {"city", "Bengaluru", "context.city"},
           {"city", "std:", "context.city"},
           {"consumer_uri", "http://eua.example.in/cb", "context.consumer_uri"},
           {"consumer_uri", "https://user:pw@eua.example.in/", "context.consumer_uri"},
           {"consumer_uri", "eua.example.in", "context.consumer_uri"},
           {"provider_id", "someone-else", "context.provider_id"},
           {"message_id", 42, "context.message_id"},
           {"message_id", "", "context.message_id"},
           {"transaction_id", nullptr, "context.transaction_id"},
           {"timestamp", "yesterday", "context.timestamp"},
           {"message_id", std::string(200, 'x'), "context.message_id"},
       }) {
    SCOPED_TRACE(std::string(c.field) + "=" + c.value.dump());
    json b = Body();
    b["context"][c.field] = c.value;
    const Nack n = NackOf(ParseContext(b, "search", Rules()));
    EXPECT_EQ(n.type, "CONTEXT-ERROR");
    EXPECT_EQ(n.code, "UHI-1404");
    EXPECT_EQ(n.path, c.path);
    EXPECT_EQ(n.http_status, 400);
  }
  EXPECT_EQ(NackOf(ParseContext(json::array(), "search", Rules())).type, "JSON-SCHEMA-ERROR");
  EXPECT_EQ(NackOf(ParseContext(json{{"context", "x"}}, "search", Rules())).path, "context");
  json missing = Body();
  missing["context"].erase("consumer_id");
  EXPECT_EQ(NackOf(ParseContext(missing, "search", Rules())).path, "context.consumer_id");
}

TEST(UhiContext, PlainHttpOnlyWhenAllowed) {
  json b = Body();
  b["context"]["consumer_uri"] = "http://127.0.0.1:8091/eua";
  EXPECT_TRUE(std::holds_alternative<Nack>(ParseContext(b, "search", Rules())));
  ContextRules dev = Rules();
  dev.allow_plain_http = true;
  EXPECT_TRUE(std::holds_alternative<Context>(ParseContext(b, "search", dev)));
}

TEST(UhiContext, CallbackEchoesIdsWithOurProvider) {
  const auto ctx = std::get<Context>(ParseContext(Body(), "search", Rules()));
  const auto now = sys_days{2026y / 6 / 18} + 5h + 7min + 33s + 45ms;
  const json cb =
      CallbackContext(ctx, "on_search", "hspa.healthtech.in", "https://api.healthtech.in/uhi", now);
  EXPECT_EQ(cb["action"], "on_search");
  EXPECT_EQ(cb["message_id"], ctx.message_id);
  EXPECT_EQ(cb["transaction_id"], ctx.transaction_id);
  EXPECT_EQ(cb["consumer_uri"], ctx.consumer_uri);
  EXPECT_EQ(cb["provider_id"], "hspa.healthtech.in");
  EXPECT_EQ(cb["provider_uri"], "https://api.healthtech.in/uhi");
  EXPECT_EQ(cb["timestamp"], "2026-06-18T05:07:33.045Z");
  EXPECT_FALSE(cb.contains("ttl")) << "NHA's context schema forbids ttl";
  // What we send back is itself a valid context for its action.
  EXPECT_TRUE(
      std::holds_alternative<Context>(ParseContext(json{{"context", cb}}, "on_search", Rules())));
}

TEST(UhiTime, ZoneLessIsIndiaAndZonesAreHonoured) {
  const auto utc = sys_days{2026y / 6 / 18} + 5h + 7min + 32s;
  EXPECT_EQ(ParseTime("2026-06-18T10:37:32"), utc);
  EXPECT_EQ(ParseTime("2026-06-18T10:37:32.065"), utc);
  EXPECT_EQ(ParseTime("2026-06-18T05:07:32Z"), utc);
  EXPECT_EQ(ParseTime("2026-06-18T05:07:32.791121Z"), utc);
  EXPECT_EQ(ParseTime("2026-06-18T10:37:32+05:30"), utc);
  EXPECT_EQ(ParseTime("2026-06-18T01:07:32-04:00"), utc);
  EXPECT_EQ(FormatIndiaTime(utc), "2026-06-18T10:37:32");
  EXPECT_EQ(FormatIndiaTime(sys_days{2026y / 12 / 31} + 20h), "2027-01-01T01:30:00");
  for (const char* bad : {"", "2026-06-18", "2026-13-01T00:00:00", "2026-02-30T00:00:00",
                          "2026-06-18T24:00:00", "2026-06-18T10:37:32+5:30", "2026-06-18T10:37:32X",
                          "2026-06-18T10:37:32.", "２０２６-06-18T10:37:32"}) {
    EXPECT_FALSE(ParseTime(bad)) << bad;
  }
}

}  // namespace
}  // namespace healthtech::uhi::domain
