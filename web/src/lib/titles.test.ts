import { describe, expect, it } from 'vitest';
import { titleFor } from './titles';

describe('page titles', () => {
  it('name the page', () => {
    expect(titleFor('/appointments')).toBe('My appointments · HealthTech');
    expect(titleFor('/appointments/5f0c')).toBe('Appointment · HealthTech');
    expect(titleFor('/organizations/abc/front-desk')).toBe('Front desk · HealthTech');
    expect(titleFor('/organizations/abc')).toBe('Organizations · HealthTech');
    expect(titleFor('/nowhere')).toBe('HealthTech');
  });
});
