#include "healthtech/pg/text_array.h"
#include "storage/store.h"

namespace healthtech::appointment::storage {
namespace {

Window ReadWindow(const pqxx::row& r) {
  Window w;
  w.facility_id = r["facility_id"].as<std::string>();
  w.mode = r["mode"].as<std::string>();
  w.start_local = r["start_local"].as<std::string>();
  w.end_local = r["end_local"].as<std::string>();
  w.slot_minutes = r["slot_minutes"].as<int>();
  w.buffer_before_minutes = r["buffer_before_minutes"].as<int>();
  w.buffer_after_minutes = r["buffer_after_minutes"].as<int>();
  return w;
}

template <typename F>
std::string Column(const std::vector<Window>& windows, F field) {
  std::vector<std::string> values;
  values.reserve(windows.size());
  for (const Window& w : windows) values.push_back(field(w));
  return pg::TextArray(values);
}

}  // namespace

bool KnownTimeZone(Tx& tx, const std::string& tz) {
  return pg::Exec(tx, "availability/timezone_exists", tz)[0]["known"].as<bool>();
}

void PutAvailability(Tx& tx, const std::string& practitioner_id,
                     const std::string& practitioner_user_id, const Settings& s,
                     const std::string& updated_by, const std::vector<Window>& rules,
                     const std::vector<Window>& extra_hours, const std::vector<TimeOff>& time_off) {
  pg::Exec(tx, "availability/upsert", practitioner_id, practitioner_user_id, s.timezone,
           s.min_notice_minutes, s.horizon_days, s.max_bookings_per_day.has_value(),
           s.max_bookings_per_day.value_or(0), s.cancellation_cutoff_minutes, updated_by);
  pg::Exec(tx, "availability/clear", practitioner_id);
  auto num = [](int v) { return std::to_string(v); };
  auto starts = [](const Window& w) { return w.start_local; };
  auto ends = [](const Window& w) { return w.end_local; };
  auto slot = [&](const Window& w) { return num(w.slot_minutes); };
  auto before = [&](const Window& w) { return num(w.buffer_before_minutes); };
  auto after = [&](const Window& w) { return num(w.buffer_after_minutes); };
  auto facility = [](const Window& w) { return w.facility_id; };
  auto organization = [](const Window& w) { return w.organization_id; };
  auto zone = [](const Window& w) { return w.timezone; };
  auto mode = [](const Window& w) { return w.mode; };
  if (!rules.empty()) {
    pg::Exec(tx, "availability/add_rules", practitioner_id, Column(rules, facility),
             Column(rules, organization), Column(rules, zone), Column(rules, mode),
             Column(rules, [&](const Window& w) { return num(w.weekday); }), Column(rules, starts),
             Column(rules, ends), Column(rules, slot), Column(rules, before), Column(rules, after));
  }
  if (!extra_hours.empty()) {
    pg::Exec(tx, "availability/add_extra_hours", practitioner_id,
             Column(extra_hours, [](const Window& w) { return w.date; }),
             Column(extra_hours, facility), Column(extra_hours, organization),
             Column(extra_hours, zone), Column(extra_hours, mode), Column(extra_hours, starts),
             Column(extra_hours, ends), Column(extra_hours, slot), Column(extra_hours, before),
             Column(extra_hours, after));
  }
  if (!time_off.empty()) {
    std::vector<std::string> starts, ends, facilities, notes;
    for (const TimeOff& t : time_off) {
      starts.push_back(t.start_date);
      ends.push_back(t.end_date);
      facilities.push_back(t.facility_id);
      notes.push_back(t.note);
    }
    pg::Exec(tx, "availability/add_time_off", practitioner_id, pg::TextArray(starts),
             pg::TextArray(ends), pg::TextArray(facilities), pg::TextArray(notes));
  }
}

std::optional<Settings> GetSettings(Tx& tx, const std::string& practitioner_id) {
  auto r = pg::Exec(tx, "availability/get", practitioner_id);
  if (r.empty()) return std::nullopt;
  Settings s;
  s.timezone = r[0]["timezone"].as<std::string>();
  s.min_notice_minutes = r[0]["min_notice_minutes"].as<int>();
  s.horizon_days = r[0]["horizon_days"].as<int>();
  if (!r[0]["max_bookings_per_day"].is_null())
    s.max_bookings_per_day = r[0]["max_bookings_per_day"].as<int>();
  s.cancellation_cutoff_minutes = r[0]["cancellation_cutoff_minutes"].as<int>();
  s.updated_at = r[0]["updated_s"].as<int64_t>();
  return s;
}

std::vector<Window> WeeklyRules(Tx& tx, const std::string& practitioner_id) {
  std::vector<Window> out;
  for (const auto& r : pg::Exec(tx, "availability/rules", practitioner_id)) {
    Window w = ReadWindow(r);
    w.weekday = r["weekday"].as<int>();
    out.push_back(std::move(w));
  }
  return out;
}

std::vector<Window> ExtraHours(Tx& tx, const std::string& practitioner_id) {
  std::vector<Window> out;
  for (const auto& r : pg::Exec(tx, "availability/extra_hours", practitioner_id)) {
    Window w = ReadWindow(r);
    w.date = r["day"].as<std::string>();
    out.push_back(std::move(w));
  }
  return out;
}

std::vector<TimeOff> TimeOffs(Tx& tx, const std::string& practitioner_id) {
  std::vector<TimeOff> out;
  for (const auto& r : pg::Exec(tx, "availability/time_off", practitioner_id)) {
    out.push_back({r["start_date"].as<std::string>(), r["end_date"].as<std::string>(),
                   r["facility_id"].as<std::string>(),
                   r["note"].is_null() ? "" : r["note"].as<std::string>()});
  }
  return out;
}

}  // namespace healthtech::appointment::storage
