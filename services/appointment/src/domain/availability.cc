#include "domain/availability.h"

#include "healthtech/validate/validate.h"

namespace healthtech::appointment::domain {

using validate::ValidDate;
using validate::ValidLocalTime;

std::vector<status::Violation> ScheduleProblems(const Schedule& s,
                                                const std::set<std::string>& facilities) {
  std::vector<status::Violation> v;
  for (const Window& w : s.windows) {
    const std::string& f = w.field;
    if (facilities.count(w.facility_id) == 0)
      v.push_back({f + ".facility_id", "must be one of the practitioner's facilities"});
    if (w.mode.empty()) v.push_back({f + ".mode", "must be in_person or video"});
    if (!ValidLocalTime(w.start_local)) v.push_back({f + ".start_local", "must be HH:MM"});
    if (!ValidLocalTime(w.end_local)) v.push_back({f + ".end_local", "must be HH:MM"});
    if (ValidLocalTime(w.start_local) && ValidLocalTime(w.end_local) &&
        w.end_local <= w.start_local)
      v.push_back({f + ".end_local", "must be after start_local"});
    if (w.slot_minutes < 5 || w.slot_minutes > 480)
      v.push_back({f + ".slot_minutes", "must be between 5 and 480"});
    if (w.buffer_before_minutes < 0 || w.buffer_before_minutes > 120)
      v.push_back({f + ".buffer_before_minutes", "must be between 0 and 120"});
    if (w.buffer_after_minutes < 0 || w.buffer_after_minutes > 120)
      v.push_back({f + ".buffer_after_minutes", "must be between 0 and 120"});
    if (w.weekly && (w.weekday < 1 || w.weekday > 7))
      v.push_back({f + ".weekday", "must be monday … sunday"});
    if (!w.weekly && !ValidDate(w.date)) v.push_back({f + ".date", "must be a date YYYY-MM-DD"});
  }
  for (const TimeOff& t : s.time_off) {
    const std::string& f = t.field;
    if (!ValidDate(t.start_date)) v.push_back({f + ".start_date", "must be a date YYYY-MM-DD"});
    if (!ValidDate(t.end_date)) v.push_back({f + ".end_date", "must be a date YYYY-MM-DD"});
    if (ValidDate(t.start_date) && ValidDate(t.end_date) && t.end_date < t.start_date)
      v.push_back({f + ".end_date", "must not be before start_date"});
    if (!t.facility_id.empty() && facilities.count(t.facility_id) == 0)
      v.push_back({f + ".facility_id", "must be one of the practitioner's facilities"});
  }
  if (s.windows.size() > 200) v.push_back({"rules", "at most 200 rules"});
  if (s.min_notice_minutes < 0 || s.min_notice_minutes > 43200)
    v.push_back({"min_notice_minutes", "must be between 0 and 43200"});
  if (s.horizon_days < 0 || s.horizon_days > 366)
    v.push_back({"horizon_days", "must be between 1 and 366"});
  if (s.has_max_bookings_per_day && s.max_bookings_per_day <= 0)
    v.push_back({"max_bookings_per_day", "must be positive"});
  if (s.cancellation_cutoff_minutes < 0 || s.cancellation_cutoff_minutes > 43200)
    v.push_back({"cancellation_cutoff_minutes", "must be between 0 and 43200"});
  return v;
}

std::string StoredEndTime(const std::string& end_local) {
  return end_local == "24:00" ? "23:59:59" : end_local;
}

}  // namespace healthtech::appointment::domain
