// The REST client: JSON in and out, the access token on every call, one refresh (shared
// by concurrent calls) when the token expired, and the API's problem details as errors.
import { API_URL } from '../config';
import { tokens } from '../auth/tokens';

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  status: number;
  code: string;
  detail: string;
  errors: FieldError[];
  requestId?: string;
  constructor(status: number, body: Record<string, unknown> | null) {
    const detail = (body?.detail as string) || (body?.title as string) || `Request failed (HTTP ${status}).`;
    super(detail);
    this.status = status;
    this.code = (body?.code as string) || 'ERROR';
    this.detail = detail;
    this.errors = Array.isArray(body?.errors) ? (body!.errors as FieldError[]) : [];
    this.requestId = body?.request_id as string | undefined;
  }
  /** Field errors keyed by field name (for forms). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.errors) out[e.field] = e.message;
    return out;
  }
}

export interface CallOptions {
  body?: unknown;
  /** A raw upload (file) instead of JSON. */
  raw?: Blob;
  query?: Record<string, string | number | boolean | undefined | null>;
  idempotencyKey?: string;
  /** Send without the access token even when signed in. */
  anonymous?: boolean;
  /** Return the response body as a Blob (PDF downloads). */
  blob?: boolean;
}

let refreshing: Promise<boolean> | null = null;
let onSignedOut: () => void = () => {};
export function setSignedOutHandler(f: () => void) {
  onSignedOut = f;
}

/** Browser sessions: the BFF keeps the refresh token in an HttpOnly cookie on /v1/auth. */
const SESSION_HEADERS = { 'Content-Type': 'application/json', 'X-Session': 'cookie' };

/** Trades the session cookie for a new access token (and a rotated cookie); false (and
 * signed out) when that fails. */
export function refreshSession(): Promise<boolean> {
  if (!refreshing) {
    refreshing = (async () => {
      if (!tokens.hasSession()) return false;
      try {
        // Tabs share the cookie: two refreshing at once would present a token the other
        // just rotated, which IAM takes for theft. One refresh at a time across tabs, each
        // sent with whatever cookie the one before it left.
        const send = () =>
          fetch(`${API_URL}/v1/auth/refresh`, {
            method: 'POST',
            headers: SESSION_HEADERS,
            body: '{}',
            credentials: 'include',
          });
        const locks = typeof navigator !== 'undefined' ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
        const res = locks ? await locks.request('healthtech.refresh', send) : await send();
        if (!res.ok) {
          // Only a definite refusal ends the session; a network error keeps it.
          if (res.status === 400 || res.status === 401) {
            tokens.clear();
            onSignedOut();
          }
          return false;
        }
        const j = await res.json();
        tokens.set(j.access_token);
        return true;
      } catch {
        return false;
      } finally {
        // Callers waiting on this refresh already hold the promise.
        refreshing = null;
      }
    })();
  }
  return refreshing;
}

function url(path: string, query?: CallOptions['query']): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') q.append(k, String(v));
  }
  const qs = q.toString();
  return `${API_URL}${path}${qs ? '?' + qs : ''}`;
}

export async function api<T = unknown>(method: string, path: string, opts: CallOptions = {}, retried = false): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const access = tokens.access();
  if (access && !opts.anonymous) headers.Authorization = `Bearer ${access}`;
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  let body: BodyInit | undefined;
  if (opts.raw) {
    body = opts.raw;
    headers['Content-Type'] = opts.raw.type || 'application/octet-stream';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = 'application/json';
  }
  // The auth routes carry the session cookie (and may set or clear it).
  const session = path.startsWith('/v1/auth/');
  if (session) headers['X-Session'] = 'cookie';
  let res: Response;
  try {
    res = await fetch(url(path, opts.query), { method, headers, body, credentials: session ? 'include' : 'same-origin' });
  } catch {
    throw new ApiError(0, { detail: 'Cannot reach HealthTech. Check your connection and try again.', code: 'NETWORK' });
  }
  if (res.status === 401 && !retried && !opts.anonymous && tokens.hasSession()) {
    // Sent with a token another call has replaced meanwhile: just send it again.
    if (access && tokens.access() && tokens.access() !== access) return api<T>(method, path, opts, true);
    if (await refreshSession()) return api<T>(method, path, opts, true);
  }
  if (!res.ok) {
    let problem: Record<string, unknown> | null = null;
    try {
      problem = await res.json();
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, problem);
  }
  if (opts.blob) return (await res.blob()) as T;
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const get = <T>(path: string, query?: CallOptions['query']) => api<T>('GET', path, { query });
export const post = <T>(path: string, body?: unknown, opts: CallOptions = {}) => api<T>('POST', path, { ...opts, body });
export const put = <T>(path: string, body?: unknown) => api<T>('PUT', path, { body });
export const patch = <T>(path: string, body?: unknown) => api<T>('PATCH', path, { body });
export const del = <T>(path: string, body?: unknown) => api<T>('DELETE', path, { body });

export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
