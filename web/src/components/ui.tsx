import { useId, type ReactNode, type InputHTMLAttributes, type SelectHTMLAttributes } from 'react';
import { ApiError } from '../api/client';

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
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  const message = e ? e.detail : error instanceof Error ? error.message : String(error);
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

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      {what}…
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
  if (!m || m.amount_minor === undefined || Number(m.amount_minor) === 0) return 'Free';
  const n = Number(m.amount_minor) / 100;
  try {
    return new Intl.NumberFormat('en-IN', { style: 'currency', currency: m.currency || 'INR' }).format(n);
  } catch {
    return `${n.toFixed(2)} ${m.currency ?? ''}`;
  }
}

export function label(enumValue?: string): string {
  return (enumValue ?? '').replace(/_/g, ' ');
}
