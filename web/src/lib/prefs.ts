// Notification preferences: the form's state, its validation and the PUT body.
import type { components } from '../api/schema';
import i18n from '../i18n';

type S = components['schemas'];
export type Preferences = S['healthtech_notification_v1_Preferences'];
export type UpdatePreferences = S['healthtech_notification_v1_UpdatePreferencesRequest'];
export type Category = NonNullable<S['healthtech_notification_v1_CategoryPreference']['category']>;

/** Account and security messages cannot be turned off (the service refuses them). */
export const CATEGORIES: Category[] = ['appointments', 'payments', 'forum', 'marketing'];
/** Web Push is not offered by the notification service (a push preference is refused). */
export const CHANNELS = ['in_app', 'email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];
export const LOCALES = [
  { code: 'en', name: 'English' },
  { code: 'hi', name: 'हिन्दी (Hindi)' },
];

export interface PrefsForm {
  channels: Record<Category, Record<Channel, boolean>>;
  quietOn: boolean;
  start: string;
  end: string;
  timezone: string;
  locale: string;
}

export function formFromApi(p: Preferences | undefined, fallbackTz: string): PrefsForm {
  const channels = {} as PrefsForm['channels'];
  for (const c of CATEGORIES) channels[c] = { in_app: false, email: false, sms: false };
  for (const cp of p?.categories ?? []) {
    if (!cp.category || !(cp.category in channels)) continue;
    channels[cp.category] = { in_app: !!cp.in_app, email: !!cp.email, sms: !!cp.sms };
  }
  const qh = p?.quiet_hours;
  const quietOn = !!(qh?.start_local && qh?.end_local);
  return {
    channels,
    quietOn,
    start: quietOn ? qh!.start_local! : '22:00',
    end: quietOn ? qh!.end_local! : '07:00',
    timezone: qh?.timezone || fallbackTz,
    locale: p?.locale || 'en',
  };
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export function isTimeZone(tz: string): boolean {
  if (!tz || !/^(UTC|[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+)$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function validatePrefs(f: PrefsForm): Record<string, string> {
  const e: Record<string, string> = {};
  if (f.quietOn) {
    if (!HHMM.test(f.start)) e.start = i18n.t('lib:prefs.startTime');
    if (!HHMM.test(f.end)) e.end = i18n.t('lib:prefs.endTime');
    if (!e.start && !e.end && f.start === f.end) e.end = i18n.t('lib:prefs.endDiffers');
    if (!isTimeZone(f.timezone)) e.timezone = i18n.t('lib:prefs.timeZone');
  }
  if (!LOCALES.some((l) => l.code === f.locale)) e.locale = i18n.t('lib:prefs.locale');
  return e;
}

/** How long quiet hours last, in minutes (they may cross midnight). */
export function quietMinutes(start: string, end: string): number {
  const m = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
  return (m(end) - m(start) + 1440) % 1440;
}

export function requestFromForm(f: PrefsForm): UpdatePreferences {
  return {
    categories: CATEGORIES.map((c) => ({ category: c, ...f.channels[c] })),
    ...(f.quietOn ? { quiet_hours: { start_local: f.start, end_local: f.end, timezone: f.timezone.trim() } } : { clear_quiet_hours: true }),
    locale: f.locale === 'hi' ? 'hi' : 'en',
  };
}
