#include "healthtech/uhi/domain/discovery.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <utility>

namespace healthtech::uhi::domain {
namespace {

using nlohmann::json;

Nack IntentError(std::string path, std::string message) {
  return Nack{"DOMAIN-ERROR", std::string(kInvalidRequest), "message.intent." + std::move(path),
              std::move(message), 400};
}

const json* Child(const json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

const json* Path(const json& j, std::initializer_list<std::string_view> keys) {
  const json* at = &j;
  for (auto k : keys) {
    at = Child(*at, k);
    if (!at) return nullptr;
  }
  return at;
}

// A string at `keys` (absent → ""); a non-string or an over-long one is refused.
std::optional<Nack> Text(const json& j, std::initializer_list<std::string_view> keys,
                         std::string path, std::string& out) {
  const json* v = Path(j, keys);
  if (!v) return std::nullopt;
  if (!v->is_string()) return IntentError(std::move(path), "must be a string");
  out = v->get<std::string>();
  if (out.size() > 200) return IntentError(std::move(path), "is longer than 200 characters");
  return std::nullopt;
}

std::optional<double> Decimal(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<Nack> ParseMode(std::string_view type, std::string path, Mode& out) {
  if (type.empty()) {
    out = Mode::kAny;
  } else if (type == "Physical" || type == "PhysicalConsultation" || type == "Physical-OPD") {
    out = Mode::kPhysical;
  } else if (type == "Online" || type == "Teleconsultation" || type == "DIGITAL-OPD") {
    out = Mode::kOnline;
  } else {
    return IntentError(std::move(path), "type must be Physical or Online");
  }
  return std::nullopt;
}

std::optional<Nack> ParseWindow(const json& fulfillment, std::string path, SearchIntent& intent) {
  for (auto [key, out] : {std::pair{"start", &intent.start}, std::pair{"end", &intent.end}}) {
    std::string text;
    if (auto n = Text(fulfillment, {key, "time", "timestamp"}, path + "." + key + ".time.timestamp",
                      text)) {
      return n;
    }
    if (text.empty()) continue;
    *out = ParseTime(text);
    if (!*out) {
      return IntentError(path + "." + key + ".time.timestamp",
                         "is not a time like 2026-06-18T10:30:00");
    }
  }
  if (intent.start && intent.end && *intent.end < *intent.start) {
    return IntentError(path + ".end.time.timestamp", "ends before it starts");
  }
  return std::nullopt;
}

struct City {
  const char* code;
  const char* name;
};
// STD codes of the cities the platform lists (TRAI's numbering plan); aliases after names.
constexpr City kCities[] = {
    {"011", "Delhi"},
    {"011", "New Delhi"},
    {"022", "Mumbai"},
    {"022", "Bombay"},
    {"033", "Kolkata"},
    {"033", "Calcutta"},
    {"044", "Chennai"},
    {"044", "Madras"},
    {"080", "Bengaluru"},
    {"080", "Bangalore"},
    {"040", "Hyderabad"},
    {"020", "Pune"},
    {"079", "Ahmedabad"},
    {"0141", "Jaipur"},
    {"0522", "Lucknow"},
    {"0484", "Kochi"},
    {"0484", "Cochin"},
    {"0172", "Chandigarh"},
    {"0755", "Bhopal"},
    {"0731", "Indore"},
    {"0712", "Nagpur"},
    {"0612", "Patna"},
    {"0261", "Surat"},
    {"0422", "Coimbatore"},
    {"0821", "Mysuru"},
    {"0821", "Mysore"},
    {"0891", "Visakhapatnam"},
    {"0471", "Thiruvananthapuram"},
    {"0471", "Trivandrum"},
    {"0361", "Guwahati"},
    {"0674", "Bhubaneswar"},
    {"0265", "Vadodara"},
    {"0512", "Kanpur"},
    {"0253", "Nashik"},
    {"0161", "Ludhiana"},
    {"0562", "Agra"},
    {"0542", "Varanasi"},
    {"0452", "Madurai"},
    {"0771", "Raipur"},
    {"0651", "Ranchi"},
    {"0135", "Dehradun"},
    {"0183", "Amritsar"},
    {"0291", "Jodhpur"},
    {"0294", "Udaipur"},
    {"0824", "Mangaluru"},
    {"0824", "Mangalore"},
    {"0120", "Noida"},
    {"0124", "Gurugram"},
    {"0124", "Gurgaon"},
    {"0866", "Vijayawada"},
    {"0495", "Kozhikode"},
    {"0487", "Thrissur"},
    {"0431", "Tiruchirappalli"},
    {"0832", "Panaji"},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Title(std::string_view s) {
  std::string out(s);
  bool start = true;
  for (char& c : out) {
    c = static_cast<char>(start ? std::toupper(static_cast<unsigned char>(c)) : c);
    start = c == ' ';
  }
  return out;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::string FulfillmentType(Mode m) { return m == Mode::kOnline ? "Online" : "Physical"; }

json Agent(const Doctor& d) {
  json tags = json::object();
  tags["@abdm/gov.in/experience"] = std::to_string(d.years_of_experience) + ".0";
  if (!d.languages.empty()) tags["@abdm/gov.in/languages"] = LanguageNames(d.languages);
  if (!d.qualifications.empty()) tags["@abdm/gov.in/education"] = Join(d.qualifications, ", ");
  if (!d.hpr_id.empty()) tags["@abdm/gov.in/hpr_id"] = d.hpr_id;
  std::vector<std::string> specialties;
  for (const auto& s : d.specialties) specialties.push_back(Title(s));
  if (!specialties.empty()) tags["@abdm/gov.in/speciality"] = Join(specialties, ", ");
  json agent{
      {"id", d.hpr_address.empty() ? d.id : d.hpr_address}, {"name", d.name}, {"tags", tags}};
  if (!d.gender.empty()) agent["gender"] = d.gender;
  return agent;
}

json Price(int64_t minor) { return json{{"currency", "INR"}, {"value", Rupees(minor)}}; }

}  // namespace

std::string SpecialtyFromCode(std::string_view code) {
  std::string out = Lower(code);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

std::string SpecialtyCode(std::string_view specialty) {
  std::string out(specialty);
  for (char& c : out) {
    c = c == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string CityOfStdCode(std::string_view std_code) {
  for (const auto& c : kCities) {
    if (std_code == c.code) return c.name;  // the first entry of a code is its name
  }
  return "";
}

std::string StdCodeOfCity(std::string_view city) {
  const std::string lower = Lower(city);
  for (const auto& c : kCities) {
    if (lower == Lower(c.name)) return c.code;
  }
  return "";
}

std::string LanguageNames(const std::vector<std::string>& codes) {
  static const std::map<std::string, std::string, std::less<>> kNames{
      {"as", "Assamese"},  {"bn", "Bengali"},  {"en", "English"},  {"gu", "Gujarati"},
      {"hi", "Hindi"},     {"kn", "Kannada"},  {"ks", "Kashmiri"}, {"kok", "Konkani"},
      {"ml", "Malayalam"}, {"mr", "Marathi"},  {"ne", "Nepali"},   {"or", "Odia"},
      {"pa", "Punjabi"},   {"sa", "Sanskrit"}, {"sd", "Sindhi"},   {"ta", "Tamil"},
      {"te", "Telugu"},    {"ur", "Urdu"}};
  std::vector<std::string> names;
  for (const auto& code : codes) {
    auto it = kNames.find(Lower(code));
    names.push_back(it == kNames.end() ? code : it->second);
  }
  return Join(names, ", ");
}

std::string Rupees(int64_t minor) {
  const int64_t abs = minor < 0 ? -minor : minor;
  std::string cents = std::to_string(abs % 100);
  if (cents.size() < 2) cents.insert(0, "0");
  return (minor < 0 ? "-" : "") + std::to_string(abs / 100) + "." + cents;
}

Checked<SearchIntent> ParseSearchIntent(const json& message, const Context& context) {
  const json* intent = Path(message, {"intent"});
  if (!intent || !intent->is_object()) {
    return Nack{"JSON-SCHEMA-ERROR", std::string(kInvalidRequest), "message.intent",
                "message.intent is required", 400};
  }
  SearchIntent out;
  const json* fulfillments = Path(*intent, {"provider", "fulfillments"});
  if (fulfillments) {
    // The second search: one doctor of ours, echoed from our first answer.
    if (!fulfillments->is_array() || fulfillments->empty() || !(*fulfillments)[0].is_object()) {
      return IntentError("provider.fulfillments", "must list the doctor asked for");
    }
    const json& f = (*fulfillments)[0];
    out.for_slots = true;
    std::string type;
    if (auto n = Text(f, {"agent", "id"}, "provider.fulfillments[0].agent.id", out.doctor_id))
      return *n;
    if (auto n = Text(f, {"agent", "name"}, "provider.fulfillments[0].agent.name", out.doctor_name))
      return *n;
    if (auto n = Text(f, {"type"}, "provider.fulfillments[0].type", type)) return *n;
    if (auto n = ParseMode(type, "provider.fulfillments[0].type", out.mode)) return *n;
    if (auto n = ParseWindow(f, "provider.fulfillments[0]", out)) return *n;
    if (out.doctor_id.empty()) {
      return IntentError("provider.fulfillments[0].agent.id", "names no doctor");
    }
    return out;
  }
  std::string type;
  if (auto n = Text(*intent, {"fulfillment", "type"}, "fulfillment.type", type)) return *n;
  if (auto n = ParseMode(type, "fulfillment.type", out.mode)) return *n;
  if (auto n = Text(*intent, {"fulfillment", "agent", "name"}, "fulfillment.agent.name",
                    out.doctor_name))
    return *n;
  if (auto n = Text(*intent, {"fulfillment", "agent", "id"}, "fulfillment.agent.id", out.doctor_id))
    return *n;
  if (const json* f = Path(*intent, {"fulfillment"})) {
    if (auto n = ParseWindow(*f, "fulfillment", out)) return *n;
  }
  std::string category;
  if (auto n =
          Text(*intent, {"category", "descriptor", "code"}, "category.descriptor.code", category))
    return *n;
  if (category.empty()) {
    if (auto n =
            Text(*intent, {"category", "descriptor", "name"}, "category.descriptor.name", category))
      return *n;
  }
  out.specialty = SpecialtyFromCode(category);
  if (auto n = Text(*intent, {"provider", "descriptor", "name"}, "provider.descriptor.name",
                    out.provider_name))
    return *n;

  std::string gps, radius_type, radius_value, radius_unit;
  if (auto n = Text(*intent, {"location", "gps"}, "location.gps", gps)) return *n;
  if (auto n = Text(*intent, {"location", "radius", "type"}, "location.radius.type", radius_type))
    return *n;
  if (auto n =
          Text(*intent, {"location", "radius", "value"}, "location.radius.value", radius_value))
    return *n;
  if (auto n = Text(*intent, {"location", "radius", "unit"}, "location.radius.unit", radius_unit))
    return *n;
  if (!gps.empty() && !radius_type.empty() && !radius_value.empty() && !radius_unit.empty()) {
    const size_t comma = gps.find(',');
    auto lat =
        comma == std::string::npos ? std::nullopt : Decimal(std::string_view(gps).substr(0, comma));
    auto lon = comma == std::string::npos ? std::nullopt
                                          : Decimal(std::string_view(gps).substr(comma + 1));
    if (!lat || !lon || std::abs(*lat) > 90 || std::abs(*lon) > 180) {
      return IntentError("location.gps", "must be \"latitude,longitude\" in degrees");
    }
    auto radius = Decimal(radius_value);
    const std::string unit = Lower(radius_unit);
    if (!radius || *radius <= 0 || (unit != "km" && unit != "m")) {
      return IntentError("location.radius", "must be a positive value in km or m");
    }
    const double km = unit == "m" ? *radius / 1000 : *radius;
    out.near = GeoCircle{*lat, *lon, std::min(km, 100.0)};
  }
  // The gateway sends physical searches to the providers of a city; teleconsultation
  // ignores the city.
  if (out.mode != Mode::kOnline && !out.near) out.city = CityOfStdCode(context.city.substr(4));
  return out;
}

json Catalog(std::string_view hspa_name, const std::vector<Doctor>& doctors,
             const std::vector<Slot>& slots) {
  json providers = json::array();
  std::map<std::string, size_t> index;  // facility id → position in providers
  for (const Doctor& d : doctors) {
    if (!slots.empty() && &d != &doctors.front()) break;  // slots are the first doctor's
    auto [it, fresh] = index.try_emplace(d.facility_id, providers.size());
    if (fresh) {
      json p{{"id", d.facility_id},
             {"descriptor", {{"name", d.facility_name}}},
             {"categories", json::array()},
             {"fulfillments", json::array()},
             {"items", json::array()}};
      json location{{"address", d.facility_address},
                    {"city", {{"name", d.city}, {"code", StdCodeOfCity(d.city)}}}};
      if (d.location) {
        char gps[64];
        std::snprintf(gps, sizeof gps, "%.6f,%.6f", d.location->latitude, d.location->longitude);
        location["gps"] = gps;
      }
      p["locations"] = json::array({location});
      providers.push_back(std::move(p));
    }
    json& p = providers[it->second];
    for (const auto& s : d.specialties) {
      const std::string code = SpecialtyCode(s);
      auto& cats = p["categories"];
      if (std::none_of(cats.begin(), cats.end(), [&](const json& c) { return c["id"] == code; })) {
        cats.push_back({{"id", code}, {"descriptor", {{"name", Title(s)}, {"code", code}}}});
      }
    }
    const std::string category = d.specialties.empty() ? "" : SpecialtyCode(d.specialties[0]);
    auto add = [&](const std::string& fid, Mode mode, const Slot* slot) {
      json f{{"id", fid}, {"type", FulfillmentType(mode)}, {"agent", Agent(d)}};
      if (slot) {
        f["start"] = {{"time", {{"timestamp", FormatIndiaTime(slot->start)}}}};
        f["end"] = {{"time", {{"timestamp", FormatIndiaTime(slot->end)}}}};
        f["tags"] = {{"@abdm/gov.in/slot_id", slot->id}};
      }
      p["fulfillments"].push_back(std::move(f));
      json item{{"id", fid},
                {"descriptor", {{"name", "Consultation"}, {"code", "CONSULTATION"}}},
                {"price", Price(d.first_visit_fee_minor)},
                {"fulfillment_id", fid}};
      if (!category.empty()) item["category_id"] = category;
      p["items"].push_back(std::move(item));
    };
    if (!slots.empty()) {
      for (const Slot& s : slots) add(s.id, s.mode, &s);
    } else {
      if (d.physical) add(d.id + ".physical", Mode::kPhysical, nullptr);
      if (d.online) add(d.id + ".online", Mode::kOnline, nullptr);
    }
  }
  return json{{"descriptor", {{"name", hspa_name}}}, {"providers", providers}};
}

}  // namespace healthtech::uhi::domain
