// Where each kind of user starts, and what the main navigation offers them.
import { hasRole as has, orgIdsFor as orgIds, type Claims } from '../auth/tokens';

type RoleClaims = Pick<Claims, 'roles'>;

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
