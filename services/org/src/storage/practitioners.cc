// Practitioner profiles, where they consult, and search.
#include <cstdio>
#include <string>

#include "healthtech/pg/text_array.h"
#include "storage/rows.h"
#include "storage/store.h"

namespace healthtech::org::storage {
namespace {

// The columns of sql/practitioners/find.sql (and of the search), by name.
Practitioner ReadPractitioner(const pqxx::row& r) {
  Practitioner p;
  p.id = r["id"].as<std::string>();
  p.user_id = r["user_id"].as<std::string>();
  p.display_name = r["display_name"].as<std::string>();
  p.specialties = pg::ParseTextArray(r["specialties"].as<std::string>());
  p.qualifications = pg::ParseTextArray(r["qualifications"].as<std::string>());
  p.registration_number = r["registration_number"].as<std::string>();
  p.languages = pg::ParseTextArray(r["languages"].as<std::string>());
  p.years_of_experience = r["years_of_experience"].as<int>();
  p.bio = r["bio"].as<std::string>();
  p.consultation_modes = pg::ParseTextArray(r["consultation_modes"].as<std::string>());
  p.fee_first_visit_minor = r["fee_first_visit_minor"].as<int64_t>();
  p.fee_follow_up_minor = r["fee_follow_up_minor"].as<int64_t>();
  p.currency = r["currency"].as<std::string>();
  p.created_at = r["created_at"].as<int64_t>();
  p.updated_at = r["updated_at"].as<int64_t>();
  p.photo_version = r["photo_version"].as<std::string>();
  p.gender = r["gender"].as<std::string>();
  p.hpr_id = r["hpr_id"].as<std::string>();
  p.hpr_address = r["hpr_address"].as<std::string>();
  return p;
}

std::optional<Practitioner> FirstPractitioner(const pqxx::result& rows) {
  if (rows.empty()) return std::nullopt;
  return ReadPractitioner(rows[0]);
}

}  // namespace

std::optional<std::string> FindPractitionerIdByHprAddress(Tx& tx, const std::string& hpr_address) {
  auto r =
      tx.exec_params("SELECT id::text FROM org.practitioners WHERE hpr_address = $1", hpr_address);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::string>();
}

std::optional<Practitioner> FindPractitioner(Tx& tx, const std::string& id) {
  return FirstPractitioner(pg::Exec(tx, "practitioners/find", id));
}

std::optional<Practitioner> FindPractitionerByUser(Tx& tx, const std::string& user_id) {
  return FirstPractitioner(pg::Exec(tx, "practitioners/find_by_user", user_id));
}

std::optional<std::string> PractitionerIdOfUser(Tx& tx, const std::string& user_id) {
  auto rows = pg::Exec(tx, "practitioners/id_by_user", user_id);
  if (rows.empty()) return std::nullopt;
  return rows[0]["id"].as<std::string>();
}

void SetPractitionerPhoto(Tx& tx, const std::string& user_id, const std::string& jpeg,
                          const std::string& sha256_hex) {
  pg::Exec(tx, "practitioners/set_photo", user_id, sha256_hex, pqxx::binarystring(jpeg));
}

void DeletePractitionerPhoto(Tx& tx, const std::string& user_id) {
  pg::Exec(tx, "practitioners/delete_photo", user_id);
}

std::optional<std::string> PractitionerPhoto(Tx& tx, const std::string& practitioner_id) {
  auto rows = pg::Exec(tx, "practitioners/photo", practitioner_id);
  if (rows.empty()) return std::nullopt;
  return pqxx::binarystring(rows[0]["jpeg"]).str();
}

namespace {
PractitionerFacility ReadPractitionerFacility(const pqxx::row& f) {
  PractitionerFacility pf;
  pf.facility_id = f["facility_id"].as<std::string>();
  pf.facility_name = f["facility_name"].as<std::string>();
  pf.organization_id = f["organization_id"].as<std::string>();
  pf.organization_name = f["organization_name"].as<std::string>();
  pf.address = ReadAddress(f);
  pf.timezone = f["timezone"].as<std::string>();
  pf.organization_verified = f["organization_verified"].as<bool>();
  return pf;
}
}  // namespace

std::vector<PractitionerFacility> PractitionerFacilities(Tx& tx, const std::string& id, bool all) {
  std::vector<PractitionerFacility> out;
  for (const auto& f : pg::Exec(tx, "practitioners/facilities", pg::TextArray({id}), all))
    out.push_back(ReadPractitionerFacility(f));
  return out;
}

std::map<std::string, std::vector<PractitionerFacility>> ListedFacilities(
    Tx& tx, const std::vector<std::string>& ids) {
  std::map<std::string, std::vector<PractitionerFacility>> out;
  for (const auto& f : pg::Exec(tx, "practitioners/facilities", pg::TextArray(ids), false))
    out[f["practitioner_id"].as<std::string>()].push_back(ReadPractitionerFacility(f));
  return out;
}

std::vector<std::string> AllowedFacilities(Tx& tx, const std::vector<std::string>& facility_ids,
                                           const std::string& user_id) {
  std::vector<std::string> out;
  for (const auto& r :
       pg::Exec(tx, "practitioners/allowed_facilities", pg::TextArray(facility_ids), user_id))
    out.push_back(r["id"].as<std::string>());
  return out;
}

std::optional<std::string> UpsertPractitioner(Tx& tx, const ProfileInput& p) {
  try {
    return pg::Exec(tx, "practitioners/upsert", p.user_id, p.display_name,
                    pg::TextArray(p.specialties), pg::TextArray(p.qualifications),
                    p.registration_number, pg::TextArray(p.languages), p.years_of_experience, p.bio,
                    pg::TextArray(p.consultation_modes), p.fee_first_visit_minor,
                    p.fee_follow_up_minor, p.currency, p.gender, p.hpr_id, p.hpr_address)[0]["id"]
        .as<std::string>();
  } catch (const pqxx::unique_violation&) {
    // user_id is the upsert's own conflict target: only V0013's HPR indexes get here.
    return std::nullopt;
  }
}

void SetPractitionerFacilities(Tx& tx, const std::string& id,
                               const std::vector<std::string>& facility_ids) {
  pg::Exec(tx, "practitioners/clear_facilities", id);
  pg::Exec(tx, "practitioners/add_facilities", id, pg::TextArray(facility_ids));
}

void LeaveOrganizationFacilities(Tx& tx, const std::string& org_id, const std::string& user_id) {
  pg::Exec(tx, "practitioners/leave_organization", org_id, user_id);
}

std::vector<BookingFacility> BookingFacilities(Tx& tx, const std::string& id) {
  std::vector<BookingFacility> out;
  for (const auto& f : pg::Exec(tx, "practitioners/booking_facilities", id)) {
    BookingFacility b;
    b.facility_id = f["facility_id"].as<std::string>();
    b.organization_id = f["organization_id"].as<std::string>();
    b.timezone = f["timezone"].as<std::string>();
    b.organization_verified = f["organization_verified"].as<bool>();
    b.name = f["name"].as<std::string>();
    b.address = ReadAddress(f);
    b.phone = f["phone"].as<std::string>();
    b.organization_name = f["organization_name"].as<std::string>();
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<PractitionerSummary> LookupPractitioners(Tx& tx, const std::vector<std::string>& ids) {
  std::vector<PractitionerSummary> out;
  for (const auto& r : pg::Exec(tx, "practitioners/lookup", pg::TextArray(ids))) {
    PractitionerSummary s;
    s.user_id = r["user_id"].as<std::string>();
    s.practitioner_id = r["practitioner_id"].as<std::string>();
    s.display_name = r["display_name"].as<std::string>();
    s.specialty = r["specialty"].as<std::string>();
    s.verified = r["verified"].as<bool>();
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<Practitioner> SearchPractitioners(Tx& tx, const SearchQuery& q) {
  // Searches near a point start from the facilities' location index (nearest first without
  // text: walked in that order), text searches from the text's indexes, soonest first (any
  // mode) from the read model's index in that order, the others from the filters' indexes.
  auto rows = [&] {
    if (q.latitude && q.longitude && q.q.empty() && q.sort == "distance") {
      // Walked nearest first, a facility's practitioners sorted as they come (incremental
      // sort). PostGIS estimates one facility within any radius (31 within 10 km of a city
      // centre at scale), for which the planner would rather sort everything found: sorting
      // is priced out for this statement only, in this transaction only.
      tx.exec("SET LOCAL enable_sort = off");
      auto found =
          pg::Exec(tx, "search/practitioners_nearest", q.q, q.city, q.specialty, q.language, q.mode,
                   q.after, q.after_score, q.after_id, q.limit, q.available_on, q.sort, *q.latitude,
                   *q.longitude, q.radius_meters, q.gender, q.fee_min, q.fee_max);
      tx.exec("SET LOCAL enable_sort = on");
      return found;
    }
    if (q.latitude && q.longitude)
      return pg::Exec(tx, "search/practitioners_near", q.q, q.city, q.specialty, q.language, q.mode,
                      q.after, q.after_score, q.after_id, q.limit, q.available_on, q.sort,
                      *q.latitude, *q.longitude, q.radius_meters, q.gender, q.fee_min, q.fee_max);
    // A specialty in a city: their two GIN indexes meet at the few matches, sorted, instead
    // of the soonest index walked past every other city's and specialty's rows.
    const bool soonest = q.q.empty() && q.sort == "soonest" && q.mode.empty();
    const char* statement = !q.q.empty() ? "search/practitioners_text"
                            : soonest && !q.city.empty() && !q.specialty.empty()
                                ? "search/practitioners_soonest_place"
                            : soonest ? "search/practitioners_soonest"
                                      : "search/practitioners";
    return pg::Exec(tx, statement, q.q, q.city, q.specialty, q.language, q.mode, q.after,
                    q.after_score, q.after_id, q.limit, q.available_on, q.sort, q.gender, q.fee_min,
                    q.fee_max);
  }();
  std::vector<Practitioner> out;
  for (const auto& r : rows) {
    Practitioner p = ReadPractitioner(r);
    p.score = r["score"].as<std::string>();
    p.next_free_day = r["next_free_day"].as<std::string>();
    if (!r["meters"].is_null()) p.meters = r["meters"].as<int>();
    out.push_back(std::move(p));
  }
  return out;
}

std::string SearchQuery::MatchKey() const {
  std::string key;
  for (const std::string& part :
       {q, city, specialty, language, mode, available_on, gender, std::to_string(fee_min),
        std::to_string(fee_max), latitude ? std::to_string(*latitude) : "",
        longitude ? std::to_string(*longitude) : "", std::to_string(radius_meters),
        std::to_string(limit)})
    key.append(part).push_back('\x1f');
  return key;
}

Facets SearchFacets(Tx& tx, const SearchQuery& q, int fuzzy_below,
                    const std::vector<int64_t>& fee_bounds) {
  Facets out;
  out.fee_ranges.assign(fee_bounds.size() + 1, 0);
  std::vector<std::string> bounds;
  for (int64_t b : fee_bounds) bounds.push_back(std::to_string(b));
  auto degrees = [](const std::optional<double>& d) {
    if (!d) return std::string();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", *d);
    return std::string(buf);
  };
  const bool near = q.latitude && q.longitude;
  auto rows = pg::Exec(tx, "search/facets", q.q, q.city, q.specialty, q.language, q.mode,
                       q.available_on, q.gender, q.fee_min, q.fee_max,
                       near ? degrees(q.latitude) : "", near ? degrees(q.longitude) : "",
                       q.radius_meters, fuzzy_below, pg::TextArray(bounds));
  for (const auto& r : rows) {
    const auto facet = r["facet"].as<std::string>();
    const auto value = r["value"].as<std::string>();
    const int n = r["n"].as<int>();
    if (facet == "fee") {
      const auto range = std::stoul(value);  // width_bucket: 0 .. fee_bounds.size()
      if (range < out.fee_ranges.size()) out.fee_ranges[range] = n;
      out.total += n;  // every match has one fee range
    } else {
      auto& list = facet == "specialty"  ? out.specialties
                   : facet == "city"     ? out.cities
                   : facet == "language" ? out.languages
                   : facet == "mode"     ? out.modes
                                         : out.genders;
      list.push_back({value, n});
    }
  }
  return out;
}

bool SpecialtyListed(Tx& tx, const std::string& specialty) {
  return pg::Exec(tx, "search/specialty_listed", specialty)[0]["listed"].as<bool>();
}

}  // namespace healthtech::org::storage
