#include "healthtech/uhi/domain/discovery.h"

#include <gtest/gtest.h>

namespace healthtech::uhi::domain {
namespace {

using nlohmann::json;
using namespace std::chrono;

Context Ctx(std::string city = "std:080") {
  Context c;
  c.city = std::move(city);
  return c;
}

SearchIntent Parsed(const json& message, const Context& ctx = Ctx()) {
  auto r = ParseSearchIntent(message, ctx);
  EXPECT_TRUE(std::holds_alternative<SearchIntent>(r))
      << (std::holds_alternative<Nack>(r)
              ? std::get<Nack>(r).path + ": " + std::get<Nack>(r).message
              : "");
  return std::holds_alternative<SearchIntent>(r) ? std::get<SearchIntent>(r) : SearchIntent{};
}

Nack Refused(const json& message) {
  auto r = ParseSearchIntent(message, Ctx());
  EXPECT_TRUE(std::holds_alternative<Nack>(r)) << message.dump();
  return std::holds_alternative<Nack>(r) ? std::get<Nack>(r) : Nack{};
}

// A first search as the gateway forwards it (synthetic values, NHA's shape).
json FirstSearch() {
  return json::parse(R"({"intent":{
    "fulfillment":{"type":"Physical","agent":{"name":"meera"},
      "start":{"time":{"timestamp":"2026-06-18T10:37:32"}},"end":{"time":{"timestamp":"2026-06-18T23:59:59"}}},
    "item":{"descriptor":{"code":"Consultation","name":"Consultation"}},
    "category":{"descriptor":{"code":"GENERAL_MEDICINE","name":"General Medicine"}},
    "provider":{"descriptor":{"name":"Sunrise"}}}})");
}

TEST(UhiSearchIntent, FirstSearch) {
  const auto i = Parsed(FirstSearch());
  EXPECT_FALSE(i.for_slots);
  EXPECT_EQ(i.mode, Mode::kPhysical);
  EXPECT_EQ(i.doctor_name, "meera");
  EXPECT_EQ(i.specialty, "general medicine");
  EXPECT_EQ(i.provider_name, "Sunrise");
  EXPECT_EQ(i.city, "Bengaluru");
  EXPECT_EQ(i.start, sys_days{2026y / 6 / 18} + 5h + 7min + 32s);
  EXPECT_EQ(i.end, sys_days{2026y / 6 / 18} + 18h + 29min + 59s);
  EXPECT_FALSE(i.near);
}

TEST(UhiSearchIntent, ModesIncludingOldSpellings) {
  for (auto [type, mode] : {std::pair{"Online", Mode::kOnline},
                            {"Teleconsultation", Mode::kOnline},
                            {"DIGITAL-OPD", Mode::kOnline},
                            {"PhysicalConsultation", Mode::kPhysical},
                            {"Physical-OPD", Mode::kPhysical}}) {
    json m = FirstSearch();
    m["intent"]["fulfillment"]["type"] = type;
    EXPECT_EQ(Parsed(m).mode, mode) << type;
  }
  json online = FirstSearch();
  online["intent"]["fulfillment"]["type"] = "Online";
  EXPECT_EQ(Parsed(online).city, "") << "teleconsultation ignores the city";
  json lower = FirstSearch();
  lower["intent"]["fulfillment"]["type"] = "physical";  // case-sensitive, as the gateway
  EXPECT_EQ(Refused(lower).path, "message.intent.fulfillment.type");
}

TEST(UhiSearchIntent, PointWithRadius) {
  json m = FirstSearch();
  m["intent"]["location"] = json::parse(
      R"({"gps":"12.9716, 77.5946","radius":{"type":"CONSTANT","value":"5","unit":"km"}})");
  auto i = Parsed(m);
  ASSERT_TRUE(i.near);
  EXPECT_DOUBLE_EQ(i.near->latitude, 12.9716);
  EXPECT_DOUBLE_EQ(i.near->longitude, 77.5946);
  EXPECT_DOUBLE_EQ(i.near->radius_km, 5);
  EXPECT_EQ(i.city, "") << "a point replaces the city";
  m["intent"]["location"]["radius"]["value"] = "2500";
  m["intent"]["location"]["radius"]["unit"] = "m";
  EXPECT_DOUBLE_EQ(Parsed(m).near->radius_km, 2.5);
  // Without all three radius fields the point is ignored, as the gateway does.
  m["intent"]["location"]["radius"].erase("type");
  EXPECT_FALSE(Parsed(m).near);
  for (const char* gps : {"12.97", "north,south", "91,77", "12.9,181", "12.9;77.5"}) {
    json bad = FirstSearch();
    bad["intent"]["location"] = {
        {"gps", gps}, {"radius", {{"type", "CONSTANT"}, {"value", "5"}, {"unit", "km"}}}};
    EXPECT_EQ(Refused(bad).path, "message.intent.location.gps") << gps;
  }
  for (auto [value, unit] : {std::pair{"0", "km"}, {"-1", "km"}, {"5", "miles"}, {"five", "km"}}) {
    json bad = FirstSearch();
    bad["intent"]["location"] = {
        {"gps", "12.9,77.5"}, {"radius", {{"type", "CONSTANT"}, {"value", value}, {"unit", unit}}}};
    EXPECT_EQ(Refused(bad).path, "message.intent.location.radius") << value << unit;
  }
}

TEST(UhiSearchIntent, SecondSearchForOneDoctor) {
  const auto i = Parsed(json::parse(R"({"intent":{"provider":{"id":"fac-1","fulfillments":[{
      "agent":{"id":"meera.iyer@hpr.abdm","name":"Dr. Meera Iyer"},"type":"Physical",
      "start":{"time":{"timestamp":"2026-06-18T00:00:00"}},"end":{"time":{"timestamp":"2026-06-18T23:59:59"}}}]}}})"));
  EXPECT_TRUE(i.for_slots);
  EXPECT_EQ(i.doctor_id, "meera.iyer@hpr.abdm");
  EXPECT_EQ(i.mode, Mode::kPhysical);
  EXPECT_EQ(i.start, sys_days{2026y / 6 / 17} + 18h + 30min);
  EXPECT_EQ(Refused(json::parse(R"({"intent":{"provider":{"fulfillments":[]}}})")).path,
            "message.intent.provider.fulfillments");
  EXPECT_EQ(
      Refused(json::parse(R"({"intent":{"provider":{"fulfillments":[{"type":"Physical"}]}}})"))
          .path,
      "message.intent.provider.fulfillments[0].agent.id");
}

TEST(UhiSearchIntent, MalformedFieldsAreRefusedWithTheirPath) {
  EXPECT_EQ(Refused(json::object()).path, "message.intent");
  EXPECT_EQ(Refused(json{{"intent", "x"}}).path, "message.intent");
  json m = FirstSearch();
  m["intent"]["fulfillment"]["agent"]["name"] = 7;
  EXPECT_EQ(Refused(m).path, "message.intent.fulfillment.agent.name");
  m = FirstSearch();
  m["intent"]["fulfillment"]["agent"]["name"] = std::string(201, 'a');
  EXPECT_EQ(Refused(m).path, "message.intent.fulfillment.agent.name");
  m = FirstSearch();
  m["intent"]["fulfillment"]["start"]["time"]["timestamp"] = "18/06/2026";
  EXPECT_EQ(Refused(m).path, "message.intent.fulfillment.start.time.timestamp");
  m = FirstSearch();
  m["intent"]["fulfillment"]["end"]["time"]["timestamp"] = "2026-06-17T00:00:00";
  EXPECT_EQ(Refused(m).path, "message.intent.fulfillment.end.time.timestamp");
  EXPECT_EQ(Refused(m).type, "DOMAIN-ERROR");
}

TEST(UhiPlaces, StdCodesAndLanguages) {
  EXPECT_EQ(CityOfStdCode("080"), "Bengaluru");
  EXPECT_EQ(CityOfStdCode("011"), "Delhi");
  EXPECT_EQ(CityOfStdCode("0999"), "");
  EXPECT_EQ(StdCodeOfCity("bangalore"), "080");
  EXPECT_EQ(StdCodeOfCity("Mumbai"), "022");
  EXPECT_EQ(StdCodeOfCity("Atlantis"), "");
  EXPECT_EQ(LanguageNames({"en", "hi", "kn", "xx"}), "English, Hindi, Kannada, xx");
  EXPECT_EQ(SpecialtyCode("general medicine"), "GENERAL_MEDICINE");
  EXPECT_EQ(SpecialtyFromCode(SpecialtyCode("general medicine")), "general medicine");
  EXPECT_EQ(Rupees(50000), "500.00");
  EXPECT_EQ(Rupees(105), "1.05");
  EXPECT_EQ(Rupees(0), "0.00");
}

Doctor Meera() {
  Doctor d;
  d.id = "11111111-1111-4111-8111-111111111111";
  d.name = "Dr. Meera Iyer";
  d.gender = "F";
  d.hpr_address = "meera.iyer@hpr.abdm";
  d.hpr_id = "71-0000-0000-0001";
  d.years_of_experience = 14;
  d.languages = {"en", "hi"};
  d.qualifications = {"MBBS", "MD"};
  d.specialties = {"cardiology"};
  d.physical = d.online = true;
  d.first_visit_fee_minor = 80000;
  d.facility_id = "fac-1";
  d.facility_name = "Sunrise MG Road";
  d.facility_address = "12 MG Road, Bengaluru 560001";
  d.city = "Bengaluru";
  d.location = GeoCircle{12.975, 77.6, 0};
  return d;
}

TEST(UhiCatalog, DoctorsAsFulfillmentAgentsGroupedByFacility) {
  Doctor ravi = Meera();
  ravi.id = "22222222-2222-4222-8222-222222222222";
  ravi.name = "Dr. Ravi Kumar";
  ravi.gender = "M";
  ravi.hpr_address.clear();
  ravi.hpr_id.clear();
  ravi.specialties = {"general medicine"};
  ravi.online = false;
  ravi.first_visit_fee_minor = 50000;
  Doctor elsewhere = Meera();
  elsewhere.facility_id = "fac-2";
  elsewhere.facility_name = "Sunrise Indiranagar";

  const json c = Catalog("HealthTech", {Meera(), ravi, elsewhere});
  EXPECT_EQ(c["descriptor"]["name"], "HealthTech");
  ASSERT_EQ(c["providers"].size(), 2u);
  const json& p = c["providers"][0];
  EXPECT_EQ(p["id"], "fac-1");
  EXPECT_EQ(p["descriptor"]["name"], "Sunrise MG Road");
  EXPECT_EQ(p["locations"][0]["gps"], "12.975000,77.600000");
  EXPECT_EQ(p["locations"][0]["city"], (json{{"name", "Bengaluru"}, {"code", "080"}}));
  EXPECT_EQ(p["categories"].size(), 2u);
  EXPECT_EQ(
      p["categories"][1],
      json::parse(
          R"({"id":"GENERAL_MEDICINE","descriptor":{"name":"General Medicine","code":"GENERAL_MEDICINE"}})"));
  // Meera: physical and online; Ravi: physical only.
  ASSERT_EQ(p["fulfillments"].size(), 3u);
  const json& f = p["fulfillments"][0];
  EXPECT_EQ(f["type"], "Physical");
  EXPECT_EQ(p["fulfillments"][1]["type"], "Online");
  EXPECT_EQ(f["agent"]["id"], "meera.iyer@hpr.abdm");
  EXPECT_EQ(f["agent"]["name"], "Dr. Meera Iyer");
  EXPECT_EQ(f["agent"]["gender"], "F");
  EXPECT_EQ(f["agent"]["tags"]["@abdm/gov.in/hpr_id"], "71-0000-0000-0001");
  EXPECT_EQ(f["agent"]["tags"]["@abdm/gov.in/languages"], "English, Hindi");
  EXPECT_EQ(f["agent"]["tags"]["@abdm/gov.in/education"], "MBBS, MD");
  EXPECT_EQ(f["agent"]["tags"]["@abdm/gov.in/experience"], "14.0");
  EXPECT_EQ(p["fulfillments"][2]["agent"]["id"], ravi.id) << "our id when no HPR address";
  EXPECT_FALSE(p["fulfillments"][2]["agent"]["tags"].contains("@abdm/gov.in/hpr_id"));
  // One item per fulfillment, priced, in the doctor's first specialty.
  ASSERT_EQ(p["items"].size(), 3u);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(p["items"][i]["fulfillment_id"], p["fulfillments"][i]["id"]);
  EXPECT_EQ(p["items"][0]["price"], (json{{"currency", "INR"}, {"value", "800.00"}}));
  EXPECT_EQ(p["items"][2]["price"]["value"], "500.00");
  EXPECT_EQ(p["items"][2]["category_id"], "GENERAL_MEDICINE");
  EXPECT_EQ(c["providers"][1]["fulfillments"].size(), 2u);
  EXPECT_EQ(Catalog("HealthTech", {})["providers"], json::array());
}

TEST(UhiCatalog, SlotsOfOneDoctor) {
  const Seconds at = sys_days{2026y / 6 / 18} + 4h + 30min;  // 10:00 in India
  const json c = Catalog("HealthTech", {Meera(), Meera()},
                         {{"slot-a", at, at + 20min, Mode::kPhysical},
                          {"slot-b", at + 1h, at + 1h + 20min, Mode::kOnline}});
  ASSERT_EQ(c["providers"].size(), 1u);
  const json& fs = c["providers"][0]["fulfillments"];
  ASSERT_EQ(fs.size(), 2u) << "only the first doctor's slots";
  EXPECT_EQ(fs[0]["id"], "slot-a");
  EXPECT_EQ(fs[0]["start"]["time"]["timestamp"], "2026-06-18T10:00:00");
  EXPECT_EQ(fs[0]["end"]["time"]["timestamp"], "2026-06-18T10:20:00");
  EXPECT_EQ(fs[0]["tags"]["@abdm/gov.in/slot_id"], "slot-a");
  EXPECT_EQ(fs[1]["type"], "Online");
  EXPECT_EQ(c["providers"][0]["items"][1]["fulfillment_id"], "slot-b");
}

}  // namespace
}  // namespace healthtech::uhi::domain
