#pragma once
// Availability rules with no database and no gRPC: what a published schedule may hold.
#include <set>
#include <string>
#include <vector>

#include "healthtech/status/status.h"

namespace healthtech::appointment::domain {

// One window of hours: a weekly rule or extra hours on a date.
struct Window {
  std::string field;              // where it sits in the request, e.g. "rules[2]"
  std::string facility_id, mode;  // mode "" when not in_person / video
  std::string start_local, end_local;
  int slot_minutes = 0, buffer_before_minutes = 0, buffer_after_minutes = 0;
  bool weekly = true;  // a weekly rule (weekday 1–7) or extra hours on `date`
  int weekday = 0;
  std::string date;
};

struct TimeOff {
  std::string field, start_date, end_date, facility_id;
};

struct Schedule {
  std::vector<Window> windows;
  std::vector<TimeOff> time_off;
  int min_notice_minutes = 0, horizon_days = 0, cancellation_cutoff_minutes = 0;
  bool has_max_bookings_per_day = false;
  int max_bookings_per_day = 0;
};

// Every problem of `schedule`, each naming its field; `facilities` are the practitioner's.
std::vector<status::Violation> ScheduleProblems(const Schedule& schedule,
                                                const std::set<std::string>& facilities);

// "24:00" ends a day; PostgreSQL's time type stores the last second of it.
std::string StoredEndTime(const std::string& end_local);

}  // namespace healthtech::appointment::domain
