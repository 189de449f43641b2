import { beforeEach, describe, expect, it, vi } from 'vitest';

// The browser's localStorage (only the session hint lives there).
const store = new Map<string, string>();
vi.stubGlobal('localStorage', {
  getItem: (k: string) => store.get(k) ?? null,
  setItem: (k: string, v: string) => void store.set(k, v),
  removeItem: (k: string) => void store.delete(k),
});

const { api, ApiError, setSignedOutHandler } = await import('./client');
const { tokens } = await import('../auth/tokens');

const jwt = (sub: string, roles: string[]) =>
  `h.${Buffer.from(JSON.stringify({ sub, roles, exp: 9e9 })).toString('base64url')}.s`;
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('api client', () => {
  beforeEach(() => {
    store.clear();
    tokens.clear();
  });

  it('refreshes once for concurrent 401s with the session cookie, and retries', async () => {
    tokens.set(jwt('u1', ['patient']));
    let refreshes = 0;
    const fetchMock = vi.fn(async (url: string, init: RequestInit) => {
      if (url.endsWith('/v1/auth/refresh')) {
        refreshes += 1;
        // The refresh token is the HttpOnly cookie: nothing of it in the script's request.
        expect(init.body).toBe('{}');
        expect(init.credentials).toBe('include');
        expect((init.headers as Record<string, string>)['X-Session']).toBe('cookie');
        await new Promise((r) => setTimeout(r, 10));
        return json(200, { access_token: jwt('u1', ['patient', 'org_admin:o1']) });
      }
      expect(init.credentials).toBe('same-origin'); // the cookie is for /v1/auth only
      const auth = (init.headers as Record<string, string>).Authorization;
      return auth.includes(Buffer.from(JSON.stringify({ sub: 'u1', roles: ['patient', 'org_admin:o1'], exp: 9e9 })).toString('base64url'))
        ? json(200, { ok: true })
        : json(401, { code: 'TOKEN_EXPIRED', detail: 'The access token has expired.' });
    });
    vi.stubGlobal('fetch', fetchMock);
    const results = await Promise.all([api('GET', '/v1/a'), api('GET', '/v1/b'), api('GET', '/v1/c')]);
    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(refreshes).toBe(1);
    expect(store.get('healthtech.session')).toBe('1');
    expect(tokens.claims()?.roles).toContain('org_admin:o1');
  });

  it('signs out when the refresh token is refused, and surfaces the problem detail', async () => {
    tokens.set(jwt('u1', []));
    const signedOut = vi.fn();
    setSignedOutHandler(signedOut);
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) =>
        url.endsWith('/v1/auth/refresh')
          ? json(401, { code: 'REFRESH_TOKEN_INVALID', detail: 'Sign in again.' })
          : json(401, { code: 'TOKEN_EXPIRED', detail: 'The access token has expired.' }),
      ),
    );
    const err = (await api('GET', '/v1/me').catch((e) => e)) as InstanceType<typeof ApiError>;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(401);
    expect(err.detail).toBe('The access token has expired.');
    expect(signedOut).toHaveBeenCalledTimes(1);
    expect(tokens.access()).toBeNull();
    expect(store.has('healthtech.session')).toBe(false);
  });

  it('maps field errors and network failures', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(400, { detail: 'The request has invalid fields.', code: 'VALIDATION_FAILED', errors: [{ field: 'email', message: 'is not an email address' }] })));
    const err = (await api('POST', '/v1/auth/register', { body: {} }).catch((e) => e)) as InstanceType<typeof ApiError>;
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.fieldErrors()).toEqual({ email: 'is not an email address' });
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const net = (await api('GET', '/v1/me').catch((e) => e)) as InstanceType<typeof ApiError>;
    expect(net.status).toBe(0);
    expect(net.detail).toMatch(/Cannot reach HealthTech/);
  });
});
