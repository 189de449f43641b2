import { describe, expect, it } from 'vitest';
import { homeFor, worksForOrganization } from './roles';

describe('role homes', () => {
  it('sends each kind of user to their own work', () => {
    expect(homeFor({ roles: ['patient'] })).toBe('/appointments');
    expect(homeFor({ roles: ['patient', 'platform_admin'] })).toBe('/admin/verifications');
    expect(homeFor({ roles: ['patient', 'practitioner:o1'] })).toBe('/practice/today');
    expect(homeFor({ roles: ['patient', 'org_admin:o1'] })).toBe('/organizations/o1');
    expect(homeFor({ roles: ['patient', 'org_staff:o1'] })).toBe('/organizations/o1/front-desk');
    expect(homeFor({ roles: ['patient', 'org_admin:o1', 'org_admin:o2'] })).toBe('/organizations');
    expect(homeFor({ roles: ['patient', 'moderator'] })).toBe('/moderation');
    expect(homeFor(null)).toBe('/');
  });
  it('offers organizations only to those who work for one', () => {
    expect(worksForOrganization({ roles: ['patient'] })).toBe(false);
    expect(worksForOrganization({ roles: ['patient', 'org_staff:o1'] })).toBe(true);
  });
});
