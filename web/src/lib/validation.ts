// Client-side form checks. They mirror the API's rules so people see problems before
// sending; the API checks again and its field errors are shown the same way.

export type FieldErrors = Record<string, string>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkEmail(v: string): string | undefined {
  if (!v.trim()) return 'Enter your email address.';
  if (!EMAIL.test(v.trim())) return 'Enter an email address like name@example.com.';
  return undefined;
}

export function checkPassword(v: string): string | undefined {
  if (v.length < 10) return 'Use at least 10 characters.';
  if (v.length > 128) return 'Use at most 128 characters.';
  return undefined;
}

export function checkRequired(v: string, label: string): string | undefined {
  return v.trim() ? undefined : `Enter ${label}.`;
}

export function checkTotp(v: string): string | undefined {
  return /^\d{6}$/.test(v.trim()) ? undefined : 'Enter the 6-digit code from your authenticator app.';
}

export function checkPhone(v: string): string | undefined {
  if (!v.trim()) return undefined; // optional
  return /^\+[1-9]\d{6,14}$/.test(v.trim()) ? undefined : 'Write the number with its country code, like +919812345678.';
}

export function checkTime(v: string): string | undefined {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(v) ? undefined : 'Use a time like 09:30.';
}

/** Runs each check and keeps the failures, keyed by field. */
export function validate(checks: Record<string, string | undefined>): FieldErrors {
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(checks)) if (v) out[k] = v;
  return out;
}

export function checkSignUp(f: { email: string; password: string; confirm: string; full_name: string; phone: string }): FieldErrors {
  return validate({
    full_name: checkRequired(f.full_name, 'your full name'),
    email: checkEmail(f.email),
    password: checkPassword(f.password),
    confirm: f.confirm === f.password ? undefined : 'The passwords do not match.',
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
  if (r.start_local >= r.end_local) return 'The end must be after the start.';
  if (!(r.slot_minutes >= 5 && r.slot_minutes <= 240)) return 'Slots are 5 to 240 minutes long.';
  const [sh, sm] = r.start_local.split(':').map(Number);
  const [eh, em] = r.end_local.split(':').map(Number);
  if (eh * 60 + em - (sh * 60 + sm) < r.slot_minutes) return 'The hours are shorter than one slot.';
  return undefined;
}
