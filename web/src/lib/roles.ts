// Where each kind of user starts, and what the main navigation offers them.
export interface RoleClaims {
  roles: string[];
}

function has(c: RoleClaims | null, role: string): boolean {
  return !!c && c.roles.some((r) => r === role || r.startsWith(role + ':'));
}

function orgIds(c: RoleClaims | null, role: string): string[] {
  return (c?.roles ?? []).filter((r) => r.startsWith(role + ':')).map((r) => r.slice(role.length + 1));
}

/** The page a user lands on after signing in: their own work first. */
export function homeFor(c: RoleClaims | null): string {
  if (!c) return '/';
  if (has(c, 'platform_admin')) return '/admin/verifications';
  if (has(c, 'practitioner')) return '/practice/today';
  const admin = orgIds(c, 'org_admin');
  const staff = orgIds(c, 'org_staff');
  const orgs = Array.from(new Set([...admin, ...staff]));
  if (staff.length === 1 && orgs.length === 1) return `/organizations/${staff[0]}/front-desk`;
  if (orgs.length === 1) return `/organizations/${orgs[0]}`;
  if (orgs.length > 1) return '/organizations';
  if (has(c, 'moderator')) return '/moderation';
  return '/appointments';
}

/** Whether the user works for an organization (the nav then offers "Organizations"). */
export function worksForOrganization(c: RoleClaims | null): boolean {
  return has(c, 'org_admin') || has(c, 'org_staff') || has(c, 'practitioner');
}
