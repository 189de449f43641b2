// Client-side form checks. They mirror the API's rules so people see problems before
// sending; the API checks again and its field errors are shown the same way. Messages are in
// the interface language, looked up on each call.
import i18n from '../i18n';

export type FieldErrors = Record<string, string>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkEmail(v: string): string | undefined {
  if (!v.trim()) return i18n.t('lib:validation.emailRequired');
  if (!EMAIL.test(v.trim())) return i18n.t('lib:validation.emailInvalid');
  return undefined;
}

export function checkPassword(v: string): string | undefined {
  if (v.length < 10) return i18n.t('lib:validation.atLeast', { n: 10 });
  if (v.length > 128) return i18n.t('lib:validation.atMost', { n: 128 });
  return undefined;
}

/** `label` is the field as it reads after "Enter" ("your full name"), in the interface language. */
export function checkRequired(v: string, label: string): string | undefined {
  return v.trim() ? undefined : i18n.t('lib:validation.required', { label });
}

export function checkTotp(v: string): string | undefined {
  return /^\d{6}$/.test(v.trim()) ? undefined : i18n.t('lib:validation.totp');
}

export function checkPhone(v: string): string | undefined {
  if (!v.trim()) return undefined; // optional
  return /^\+[1-9]\d{6,14}$/.test(v.trim()) ? undefined : i18n.t('lib:validation.phone');
}

export function checkTime(v: string): string | undefined {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(v) ? undefined : i18n.t('lib:validation.time');
}

/** Runs each check and keeps the failures, keyed by field. */
export function validate(checks: Record<string, string | undefined>): FieldErrors {
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(checks)) if (v) out[k] = v;
  return out;
}

export function checkSignUp(f: { email: string; password: string; confirm: string; full_name: string; phone: string }): FieldErrors {
  return validate({
    full_name: checkRequired(f.full_name, i18n.t('lib:validation.fullName')),
    email: checkEmail(f.email),
    password: checkPassword(f.password),
    confirm: f.confirm === f.password ? undefined : i18n.t('lib:validation.passwordsDiffer'),
    phone: checkPhone(f.phone),
  });
}

export interface RuleInput {
  weekday: number;
  start_local: string;
  end_local: string;
  slot_minutes: number;
}

/** A weekly availability rule: valid times, start before end, a slot that fits. */
export function checkRule(r: RuleInput): string | undefined {
  const bad = checkTime(r.start_local) || checkTime(r.end_local);
  if (bad) return bad;
  if (r.start_local >= r.end_local) return i18n.t('lib:validation.endAfterStart');
  if (!(r.slot_minutes >= 5 && r.slot_minutes <= 240)) return i18n.t('lib:validation.slotLength');
  const [sh, sm] = r.start_local.split(':').map(Number);
  const [eh, em] = r.end_local.split(':').map(Number);
  if (eh * 60 + em - (sh * 60 + sm) < r.slot_minutes) return i18n.t('lib:validation.slotTooLong');
  return undefined;
}

/** "12.9716, 77.5946" as a point; null when empty, undefined when it is not one. */
export function parsePoint(text: string): { latitude: number; longitude: number } | null | undefined {
  if (text.trim() === '') return null;
  const m = /^\s*(-?\d{1,2}(?:\.\d+)?)\s*[, ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return undefined;
  const latitude = Number(m[1]);
  const longitude = Number(m[2]);
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
  return { latitude, longitude };
}
