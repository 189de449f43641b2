#pragma once
// Discovery on UHI: what a search asks for, and the catalog an HSPA answers with. The first
// search comes through the gateway (a specialty, a name, a city or a point, a time window);
// the second comes from the patient's app for one practitioner and asks for free slots.
// Sources: ../shared/uhi/WIRE.md §3.3–3.4, NHA's search and second-search schemas.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "healthtech/uhi/domain/messages.h"

namespace healthtech::uhi::domain {

enum class Mode { kAny, kPhysical, kOnline };

struct GeoCircle {
  double latitude = 0;
  double longitude = 0;
  double radius_km = 0;
};

struct SearchIntent {
  Mode mode = Mode::kAny;
  std::string doctor_name;    // fulfillment.agent.name
  std::string doctor_id;      // fulfillment.agent.id: an HPR address or our practitioner id
  std::string specialty;      // category.descriptor.code/name, in the platform's words
  std::string provider_name;  // provider.descriptor.name
  std::string city;           // the context's std: code, as the platform's city name
  std::optional<GeoCircle> near;
  std::optional<Seconds> start;  // the time window asked for
  std::optional<Seconds> end;
  bool for_slots = false;  // the second search: intent.provider.fulfillments names one doctor
};

// Reads `message.intent` of a search. The city comes from the context (`std:080`); a
// teleconsultation search ignores it, as NHA's gateway does. A point without all three
// radius fields is ignored (as the gateway does); a malformed one is refused.
Checked<SearchIntent> ParseSearchIntent(const nlohmann::json& message, const Context& context);

// "CARDIOLOGY", "General_Medicine" → "cardiology", "general medicine".
std::string SpecialtyFromCode(std::string_view code);
// "cardiology" → "CARDIOLOGY"; "general medicine" → "GENERAL_MEDICINE".
std::string SpecialtyCode(std::string_view specialty);
// The city of an STD code ("080" → "Bengaluru"), "" when not known.
std::string CityOfStdCode(std::string_view std_code);
// The STD code of a city ("Bangalore", "bengaluru" → "080"), "" when not known.
std::string StdCodeOfCity(std::string_view city);
// ISO 639-1 codes to English names, as UHI's languages tag writes them ("en,hi" → "English,
// Hindi").
std::string LanguageNames(const std::vector<std::string>& codes);

// A verified practitioner as the catalog shows them, at one facility.
struct Doctor {
  std::string id;  // the platform's practitioner id
  std::string name;
  std::string gender;       // "F", "M", "O" or ""
  std::string hpr_address;  // "name@hpr.abdm"; the agent id when known, else our id
  std::string hpr_id;       // 14 digits, 71-4453-8853-6840
  int years_of_experience = 0;
  std::vector<std::string> languages;  // ISO 639-1
  std::vector<std::string> qualifications;
  std::vector<std::string> specialties;
  bool physical = false;
  bool online = false;
  int64_t first_visit_fee_minor = 0;  // paise, what the patient pays (taxes included)
  std::string facility_id;
  std::string facility_name;
  std::string facility_address;
  std::string city;
  std::optional<GeoCircle> location;  // radius unused
};

// A free slot of the doctor asked for in a second search.
struct Slot {
  std::string id;  // stable: the same slot gets the same id in every answer
  Seconds start;
  Seconds end;
  Mode mode = Mode::kPhysical;
};

// `message.catalog` of an on_search: one provider per facility, its doctors as fulfillment
// agents (one fulfillment per doctor and mode; with `slots`, the first doctor only, with one
// fulfillment per free slot),
// an item per fulfillment with the first visit's price, and the specialties as categories.
nlohmann::json Catalog(std::string_view hspa_name, const std::vector<Doctor>& doctors,
                       const std::vector<Slot>& slots = {});

// "500.00" for 50000 paise.
std::string Rupees(int64_t minor);

}  // namespace healthtech::uhi::domain
