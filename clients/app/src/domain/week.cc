#include "domain/week.h"

#include <algorithm>
#include <numeric>

namespace healthtech::app::domain {

QList<Day> GroupByDay(const QList<api::Slot>& slots, const QTimeZone& zone, QDate first, int days) {
  QList<Day> out;
  out.reserve(days);
  for (int i = 0; i < days; ++i) out << Day{first.addDays(i), {}};
  QList<int> order(slots.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return slots[a].start < slots[b].start; });
  for (int i : order) {
    const QDate local = slots[i].start.toTimeZone(zone).date();
    const qint64 index = first.daysTo(local);
    if (index >= 0 && index < days) out[static_cast<int>(index)].slots << i;
  }
  return out;
}

std::pair<QDateTime, QDateTime> DaysRange(const QTimeZone& zone, QDate first, int days) {
  const QDateTime from(first, QTime(0, 0), zone);
  const QDateTime to(first.addDays(days), QTime(0, 0), zone);
  return {from.toUTC(), to.toUTC()};
}

QDate WeekStart(QDate d) { return d.addDays(1 - d.dayOfWeek()); }

}  // namespace healthtech::app::domain
