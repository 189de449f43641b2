// Figures for the organization dashboard, computed from the API's appointment and
// payment lists.
import { addDays, dayKey } from './time';

export interface ApptLike {
  start?: string;
  status?: string;
}
export interface PaymentLike {
  status?: string;
  captured_at?: string;
  amount?: { amount_minor?: number | string };
  amount_refunded?: { amount_minor?: number | string };
}

export const CHART_STATUSES = ['booked', 'checked_in', 'in_progress', 'completed', 'cancelled', 'no_show'] as const;

export type DayRow = { day: string } & Record<(typeof CHART_STATUSES)[number], number>;

/** One row per day of `days` (local dates in `tz`), counting appointments by status. */
export function appointmentsPerDay(items: ApptLike[], tz: string, days: string[]): DayRow[] {
  const rows = new Map<string, DayRow>(
    days.map((d) => [d, { day: d, ...Object.fromEntries(CHART_STATUSES.map((s) => [s, 0])) } as DayRow]),
  );
  for (const a of items) {
    if (!a.start) continue;
    const row = rows.get(dayKey(a.start, tz));
    const st = a.status as (typeof CHART_STATUSES)[number];
    if (row && CHART_STATUSES.includes(st)) row[st] += 1;
  }
  return [...rows.values()];
}

/** No-shows among the appointments whose outcome is known (completed or no-show); null when none. */
export function noShowRate(items: ApptLike[]): number | null {
  let done = 0;
  let missed = 0;
  for (const a of items) {
    if (a.status === 'completed') done += 1;
    if (a.status === 'no_show') missed += 1;
  }
  return done + missed === 0 ? null : missed / (done + missed);
}

/** The Monday (ISO week start) of a day key. */
export function weekStart(key: string): string {
  const [y, m, d] = key.split('-').map(Number);
  const dow = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7; // Monday = 0
  return addDays(key, -dow);
}

/** Net captured revenue (captured minus refunded, minor units) per ISO week, oldest first. */
export function revenuePerWeek(payments: PaymentLike[], tz: string): { week: string; amount_minor: number }[] {
  const weeks = new Map<string, number>();
  for (const p of payments) {
    if (!p.captured_at) continue;
    const amount = Number(p.amount?.amount_minor ?? 0);
    // A fully refunded payment nets zero even where a list leaves amount_refunded at 0.
    const net = p.status === 'refunded' ? 0 : amount - Number(p.amount_refunded?.amount_minor ?? 0);
    const w = weekStart(dayKey(p.captured_at, tz));
    weeks.set(w, (weeks.get(w) ?? 0) + net);
  }
  return [...weeks.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([week, amount_minor]) => ({ week, amount_minor }));
}
