// Calendar arithmetic in an IANA time zone with the platform's Intl (no date library).
// A "day key" is a local calendar date written YYYY-MM-DD.
import i18n from '../i18n';

const partsCache = new Map<string, Intl.DateTimeFormat>();
function fmt(tz: string): Intl.DateTimeFormat {
  let f = partsCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsCache.set(tz, f);
  }
  return f;
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock time in `tz` at the instant `ms`. */
export function wallTime(ms: number, tz: string): Wall {
  const p: Record<string, number> = {};
  for (const part of fmt(tz).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return { year: p.year, month: p.month, day: p.day, hour: p.hour % 24, minute: p.minute, second: p.second };
}

/** Offset of `tz` from UTC at the instant `ms`, in milliseconds (IST: +19800000). */
export function offsetMs(ms: number, tz: string): number {
  const w = wallTime(ms, tz);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The local date in `tz` of an instant (ISO string or epoch ms). */
export function dayKey(instant: string | number, tz: string): string {
  const ms = typeof instant === 'number' ? instant : Date.parse(instant);
  const w = wallTime(ms, tz);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** `key` plus `n` calendar days. */
export function addDays(key: string, n: number): string {
  const [y, m, d] = key.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** The instant local midnight of `key` happens in `tz` (the first instant of that day). */
export function startOfDay(key: string, tz: string): number {
  const [y, m, d] = key.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  // Two passes settle DST transitions (the offset at the guess may differ from the result's).
  let t = guess - offsetMs(guess, tz);
  t = guess - offsetMs(t, tz);
  if (dayKey(t, tz) !== key) {
    // Midnight does not exist that day (a DST jump at 00:00): the day starts later.
    t += 3600_000;
  }
  return t;
}

/** Seven day keys starting at `start`. */
export function weekOf(start: string, days = 7): string[] {
  return Array.from({ length: days }, (_, i) => addDays(start, i));
}

export interface SlotLike {
  start?: string;
  end?: string;
}

/**
 * Groups slots by their local date in `tz` over `days` (every day present, possibly
 * empty), each day's slots in start order. Slots outside the days are dropped.
 */
export function groupSlotsByDay<T extends SlotLike>(slots: T[], tz: string, days: string[]): Map<string, T[]> {
  const out = new Map<string, T[]>(days.map((d) => [d, []]));
  for (const s of slots) {
    if (!s.start) continue;
    const bucket = out.get(dayKey(s.start, tz));
    if (bucket) bucket.push(s);
  }
  for (const list of out.values()) list.sort((a, b) => Date.parse(a.start!) - Date.parse(b.start!));
  return out;
}

/** "14:30" in `tz`. */
export function timeLabel(instant: string, tz: string): string {
  const w = wallTime(Date.parse(instant), tz);
  return `${pad(w.hour)}:${pad(w.minute)}`;
}

/** "Mon 30 Nov" for a day key (the weekday of the calendar date itself). */
export function dayLabel(key: string): string {
  const [y, m, d] = key.split('-').map(Number);
  // English keeps the day-first British order ("Mon 30 Nov"); Hindi: "सोम, 30 नव॰".
  const locale = i18n.language === 'hi' ? 'hi-IN' : 'en-GB';
  let f = dayFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' });
    dayFormats.set(locale, f);
  }
  return f.format(new Date(Date.UTC(y, m - 1, d)));
}
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** "Mon 30 Nov, 14:30" of an instant in `tz`. */
export function dateTimeLabel(instant: string | undefined, tz: string): string {
  if (!instant) return '';
  return `${dayLabel(dayKey(instant, tz))}, ${timeLabel(instant, tz)}`;
}

// Old IANA names some runtimes still report (Chromium says Asia/Calcutta): shown and compared
// under their current names, so one zone never appears twice.
const ZONE_ALIASES: Record<string, string> = {
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Dacca': 'Asia/Dhaka',
  'Asia/Thimbu': 'Asia/Thimphu',
  'Europe/Kiev': 'Europe/Kyiv',
};

export function canonicalZone(tz: string): string {
  return ZONE_ALIASES[tz] ?? tz;
}

/** The browser's time zone (the patient's), UTC when it cannot be told. */
export function browserTimeZone(): string {
  try {
    return canonicalZone(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  } catch {
    return 'UTC';
  }
}

/** Whether `tz` is an IANA zone this runtime knows. */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
}
