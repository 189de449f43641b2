import { useId, type ReactNode, type InputHTMLAttributes, type SelectHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import i18n, { intlLocale } from '../i18n';
import { API_URL } from '../config';
import { initials } from '../lib/appointment';

export function Field(
  props: { label: string; error?: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>,
) {
  const { label, error, hint, id, ...rest } = props;
  const auto = useId();
  const fid = id ?? auto;
  const describedBy = [hint ? `${fid}-hint` : '', error ? `${fid}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={fid}>{label}</label>
      {hint && (
        <p className="hint" id={`${fid}-hint`}>
          {hint}
        </p>
      )}
      <input id={fid} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...rest} />
      {error && (
        <p className="field-error" id={`${fid}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

export function Select(
  props: { label: string; error?: string; children: ReactNode } & SelectHTMLAttributes<HTMLSelectElement>,
) {
  const { label, error, id, children, ...rest } = props;
  const auto = useId();
  const fid = id ?? auto;
  return (
    <div className="field">
      <label htmlFor={fid}>{label}</label>
      <select id={fid} aria-invalid={error ? true : undefined} aria-describedby={error ? `${fid}-error` : undefined} {...rest}>
        {children}
      </select>
      {error && (
        <p className="field-error" id={`${fid}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** The API's `detail` (and field errors not shown beside a field) in an alert. */
export function ErrorBox({ error, shownFields = [] }: { error: unknown; shownFields?: string[] }) {
  useTranslation();
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  // The API's `detail` is English and the most precise; in Hindi, the error's code in words.
  const key = `errors:${e?.code}`;
  const translated = e && i18n.language !== 'en' && i18n.exists(key) ? (i18n.t as (k: string) => string)(key) : '';
  const message = translated || (e ? e.detail : error instanceof Error ? error.message : String(error));
  const extra = e ? e.errors.filter((f) => !shownFields.includes(f.field)) : [];
  return (
    <div className="error-box" role="alert">
      <p>{message}</p>
      {extra.length > 0 && (
        <ul>
          {extra.map((f) => (
            <li key={f.field}>
              {f.field}: {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ what }: { what?: string }) {
  const { t } = useTranslation();
  return (
    <p className="loading" role="status" aria-live="polite">
      {what ?? t('loading')}…
    </p>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div className="notice" role="status">
      {children}
    </div>
  );
}

/** Loading / error / content for one query. */
export function QueryState<T>({
  q,
  what,
  children,
}: {
  q: { isPending: boolean; error: unknown; data: T | undefined };
  what?: string;
  children: (data: T) => ReactNode;
}) {
  if (q.isPending) return <Loading what={what} />;
  if (q.error) return <ErrorBox error={q.error} />;
  return <>{children(q.data as T)}</>;
}

export function money(m?: { amount_minor?: number | string; currency?: string } | null): string {
  if (!m || m.amount_minor === undefined || Number(m.amount_minor) === 0) return i18n.t('free');
  const n = Number(m.amount_minor) / 100;
  try {
    return new Intl.NumberFormat(intlLocale(), { style: 'currency', currency: m.currency || 'INR' }).format(n);
  } catch {
    return `${n.toFixed(2)} ${m.currency ?? ''}`;
  }
}

export function label(enumValue?: string): string {
  return (enumValue ?? '').replace(/_/g, ' ');
}

/** A practitioner's photo (served by the API, cached for good: its URL changes with it), else initials. */
export function Avatar({ name, photoUrl, size = 'md' }: { name?: string; photoUrl?: string; size?: 'md' | 'lg' }) {
  const cls = `avatar${size === 'lg' ? ' avatar-lg' : ''}`;
  if (photoUrl) {
    const px = size === 'lg' ? 112 : 52;
    return <img className={cls} src={`${API_URL}${photoUrl}`} alt="" width={px} height={px} loading="lazy" decoding="async" />;
  }
  return (
    <span className={cls} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
