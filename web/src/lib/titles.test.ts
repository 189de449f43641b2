import { describe, expect, it } from 'vitest';
import i18n from '../i18n';
import { titleFor } from './titles';

describe('page titles', () => {
  it('name the page', () => {
    expect(titleFor('/appointments')).toBe('My appointments · HealthTech');
    expect(titleFor('/appointments/5f0c')).toBe('Appointment · HealthTech');
    expect(titleFor('/organizations/abc/front-desk')).toBe('Front desk · HealthTech');
    expect(titleFor('/organizations/abc')).toBe('Organizations · HealthTech');
    expect(titleFor('/nowhere')).toBe('HealthTech');
  });

  it('are in Hindi when the interface is', async () => {
    try {
      await i18n.changeLanguage('hi');
      expect(titleFor('/appointments')).toBe('मेरे अपॉइंटमेंट · HealthTech');
      expect(titleFor('/nowhere')).toBe('HealthTech');
    } finally {
      await i18n.changeLanguage('en');
    }
    expect(titleFor('/appointments')).toBe('My appointments · HealthTech');
  });
});
