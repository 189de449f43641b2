#pragma once
// A practitioner's free times as the patient sees them: a week of days in the patient's
// own time zone, each slot on the day its start falls on there. Pure functions.
#include <QDate>
#include <QList>
#include <QTimeZone>

#include "api/model.h"

namespace healthtech::app::domain {

struct Day {
  QDate date;        // in the patient's zone
  QList<int> slots;  // indexes into the slots given, in start order
};

// `days` consecutive calendar days from `first` in `zone`, with each slot (start in UTC)
// placed on the day its start falls on in `zone`; slots outside those days are left out.
// Calendar days, not 24-hour steps: a day with a DST change is still one day.
QList<Day> GroupByDay(const QList<api::Slot>& slots, const QTimeZone& zone, QDate first, int days);

// The UTC instants [from, to) that cover those days in `zone` (for the slots query).
std::pair<QDateTime, QDateTime> DaysRange(const QTimeZone& zone, QDate first, int days);

// The Monday of the week holding `d`.
QDate WeekStart(QDate d);

}  // namespace healthtech::app::domain
