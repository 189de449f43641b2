// Token storage. The access token (15 min) lives in memory only. The refresh token never
// reaches this code: the BFF keeps it in an HttpOnly, SameSite=Strict cookie scoped to
// /v1/auth (requests with "X-Session: cookie"), so a script injected into the page cannot
// read it. All that is stored here is a hint in localStorage that a cookie session may
// exist ("healthtech.session" = "1"; not a secret), so a fresh page knows to ask for an
// access token. The strict CSP on the served pages (no inline or foreign script) guards
// against XSS in the first place.

const HINT_KEY = 'healthtech.session';

export interface Claims {
  sub: string;
  roles: string[];
  exp: number;
  iat?: number;
  amr?: string[];
}

type Listener = () => void;
let access: string | null = null;
let claims: Claims | null = null;
let obtainedAt = 0;
const listeners = new Set<Listener>();

export function decodeClaims(jwt: string): Claims | null {
  try {
    const part = jwt.split('.')[1];
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const c = JSON.parse(json);
    return { sub: c.sub, roles: Array.isArray(c.roles) ? c.roles : [], exp: c.exp, iat: c.iat, amr: c.amr };
  } catch {
    return null;
  }
}

export const tokens = {
  access: () => access,
  claims: () => claims,
  /**
   * When the access token expires by this browser's clock: its lifetime (exp − iat, both
   * the server's clock) counted from when it arrived, so a skewed local clock does not matter.
   */
  localExpiry: (): number => {
    if (!claims) return 0;
    return claims.iat ? obtainedAt + (claims.exp - claims.iat) * 1000 : claims.exp * 1000;
  },
  /** Whether a cookie session may exist (signed in here before, not signed out since). */
  hasSession: (): boolean => {
    try {
      return localStorage.getItem(HINT_KEY) === '1';
    } catch {
      return false;
    }
  },
  set(accessToken: string) {
    access = accessToken;
    claims = decodeClaims(accessToken);
    obtainedAt = Date.now();
    try {
      localStorage.setItem(HINT_KEY, '1');
    } catch {
      /* storage unavailable: the session lasts as long as this page */
    }
    listeners.forEach((l) => l());
  },
  clear() {
    access = null;
    claims = null;
    try {
      localStorage.removeItem(HINT_KEY);
    } catch {
      /* storage unavailable */
    }
    listeners.forEach((l) => l());
  },
  subscribe(l: Listener) {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

/** Roles of the signed-in user: global ones as they are, org-scoped ones "role:<org_id>". */
export function hasRole(c: Pick<Claims, 'roles'> | null, role: string): boolean {
  return !!c && c.roles.some((r) => r === role || r.startsWith(role + ':'));
}

export function orgIdsFor(c: Pick<Claims, 'roles'> | null, role: string): string[] {
  return (c?.roles ?? []).filter((r) => r.startsWith(role + ':')).map((r) => r.slice(role.length + 1));
}
