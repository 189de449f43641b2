// What people read about an appointment: words for its status and payment, its place on one
// line, and the calendar entry (.ics and Google Calendar) they can add it to. The words are
// in the interface language (looked up on each call).
import i18n from '../i18n';

export interface AddressLike {
  line1?: string;
  line2?: string;
  city?: string;
  state?: string;
  pincode?: string;
}

export interface AppointmentLike {
  id?: string;
  start?: string;
  end?: string;
  mode?: string;
  status?: string;
  practitioner_name?: string;
  practitioner_specialty?: string;
  facility_name?: string;
  facility_address?: AddressLike;
  facility_phone?: string;
  video_url?: string;
}

const STATUS = ['pending_payment', 'booked', 'checked_in', 'in_progress', 'completed', 'cancelled', 'no_show', 'expired'] as const;
const PAYMENT = ['free', 'at_clinic', 'awaiting', 'paid', 'unpaid'] as const;

const isOneOf = <T extends string>(list: readonly T[], v: string): v is T => (list as readonly string[]).includes(v);

export function statusWords(status?: string): string {
  const s = status ?? '';
  return isOneOf(STATUS, s) ? i18n.t(`lib:appointment.status.${s}`) : s.replace(/_/g, ' ');
}

export function paymentWords(state?: string): string {
  const s = state ?? '';
  return isOneOf(PAYMENT, s) ? i18n.t(`lib:appointment.payment.${s}`) : '';
}

export function modeWords(mode?: string): string {
  return mode === 'video' ? i18n.t('lib:appointment.mode.video') : mode === 'in_person' ? i18n.t('lib:appointment.mode.inPerson') : '';
}

/** "Cardiology" for "cardiology", "General Medicine" for "general medicine". */
export function titleCase(text?: string): string {
  return (text ?? '').replace(/(^|[\s-])(\p{Ll})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());
}

/** "English, Hindi" for ["en", "hi"], in the interface language unless `locale` is given (the code itself when the runtime has no name for it). */
export function languageNames(codes: string[] | undefined, locale: string = i18n.language || 'en'): string {
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames([locale], { type: 'language' });
  } catch {
    names = null;
  }
  return (codes ?? []).map((c) => names?.of(c) ?? c).join(', ');
}

/** "MI" for "Dr. Meera Iyer": the first letters of the name's first and last words, titles left out. */
export function initials(name?: string): string {
  const words = (name ?? '').split(/\s+/).filter((w) => w && !/^(dr|prof|mr|mrs|ms)\.?$/i.test(w));
  if (words.length === 0) return '?';
  const first = words[0][0] ?? '';
  const last = words.length > 1 ? (words[words.length - 1][0] ?? '') : '';
  return (first + last).toUpperCase();
}

/** "today", "tomorrow" or "Tue 8 Dec" (in Hindi "आज", "कल", …) for a local date "YYYY-MM-DD" (today as given). */
export function dayWords(day: string, today = new Date().toLocaleDateString('en-CA')): string {
  const ms = Date.parse(`${day}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`);
  if (ms === 0) return i18n.t('lib:appointment.today');
  if (ms === 86_400_000) return i18n.t('lib:appointment.tomorrow');
  const locale = i18n.language === 'hi' ? 'hi-IN' : 'en-GB';
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(locale, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' });
}

export function addressLine(a?: AddressLike): string {
  if (!a) return '';
  const parts = [a.line1, a.line2, a.city, [a.state, a.pincode].filter(Boolean).join(' ')];
  return parts.filter((p) => p && p.trim()).join(', ');
}

/** Where the visit happens, on one line: the facility and its address, or the video room. */
export function placeLine(a: AppointmentLike): string {
  if (a.mode === 'video') return i18n.t('lib:appointment.mode.video');
  return [a.facility_name, addressLine(a.facility_address)].filter(Boolean).join(', ');
}

function icsStamp(iso: string): string {
  return new Date(iso).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

// RFC 5545 §3.3.11: backslash, semicolon and comma are escaped, newlines written \n.
function icsText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

// RFC 5545 §3.1: lines longer than 75 octets are folded (CRLF + one space).
function fold(line: string): string {
  const bytes = new TextEncoder().encode(line);
  if (bytes.length <= 75) return line;
  const out: string[] = [];
  let current = '';
  let size = 0;
  for (const ch of line) {
    const n = new TextEncoder().encode(ch).length;
    if (size + n > (out.length === 0 ? 75 : 74)) {
      out.push(current);
      current = '';
      size = 0;
    }
    current += ch;
    size += n;
  }
  out.push(current);
  return out.join('\r\n ');
}

function summary(a: AppointmentLike): string {
  return a.practitioner_name ? i18n.t('lib:appointment.calendar.summaryWith', { name: a.practitioner_name }) : i18n.t('lib:appointment.calendar.summary');
}

function details(a: AppointmentLike, appUrl: string): string {
  const lines = [
    [a.practitioner_name, titleCase(a.practitioner_specialty)].filter(Boolean).join(', '),
    a.mode === 'video' ? i18n.t('lib:appointment.calendar.join', { url: a.video_url ?? '' }) : placeLine(a),
    a.facility_phone ? i18n.t('lib:appointment.calendar.phone', { phone: a.facility_phone }) : '',
    i18n.t('lib:appointment.calendar.manage', { url: appUrl }),
  ];
  return lines.filter(Boolean).join('\n');
}

/** An iCalendar file with one event (RFC 5545), times in UTC. */
export function icsFor(a: AppointmentLike, appUrl: string, now = new Date()): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//HealthTech//Appointments//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${a.id}@healthtech`,
    `DTSTAMP:${icsStamp(now.toISOString())}`,
    `DTSTART:${icsStamp(a.start!)}`,
    `DTEND:${icsStamp(a.end ?? a.start!)}`,
    `SUMMARY:${icsText(summary(a))}`,
    `LOCATION:${icsText(a.mode === 'video' ? (a.video_url ?? i18n.t('lib:appointment.mode.video')) : placeLine(a))}`,
    `DESCRIPTION:${icsText(details(a, appUrl))}`,
    `URL:${appUrl}`,
    'STATUS:CONFIRMED',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(fold).join('\r\n') + '\r\n';
}

/** Google Calendar's "add event" link for the same event. */
export function googleCalendarUrl(a: AppointmentLike, appUrl: string): string {
  const params = new URLSearchParams({
    action: 'TEMPLATE',
    text: summary(a),
    dates: `${icsStamp(a.start!)}/${icsStamp(a.end ?? a.start!)}`,
    details: details(a, appUrl),
    location: a.mode === 'video' ? (a.video_url ?? '') : placeLine(a),
  });
  return `https://calendar.google.com/calendar/render?${params.toString()}`;
}
