// The availability editor's week: weekly rules grouped by day, and a day's hours copied to
// other days (the "copy to Mon–Sat" of calendar tools).
export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export const MON_TO_SAT = WEEKDAYS.slice(0, 6) as readonly string[];

interface Rule {
  weekday: string;
  start_local: string;
}

const order = (r: Rule) => `${WEEKDAYS.indexOf(r.weekday as (typeof WEEKDAYS)[number])}|${r.start_local}`;

/** Rules in week order (Monday first), by start time within a day. */
export function sortWeek<R extends Rule>(rules: R[]): R[] {
  return [...rules].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/** Each weekday's rules, by start time. */
export function byDay<R extends Rule>(rules: R[]): Record<string, R[]> {
  const out: Record<string, R[]> = Object.fromEntries(WEEKDAYS.map((d) => [d, []]));
  for (const r of sortWeek(rules)) (out[r.weekday] ??= []).push(r);
  return out;
}

/** `from`'s hours replace those of every day in `to` (`from` itself is kept as it is). */
export function copyDay<R extends Rule>(rules: R[], from: string, to: readonly string[]): R[] {
  const source = rules.filter((r) => r.weekday === from);
  const targets = to.filter((d) => d !== from);
  const kept = rules.filter((r) => !targets.includes(r.weekday));
  return sortWeek([...kept, ...targets.flatMap((d) => source.map((r) => ({ ...r, weekday: d })))]);
}
