import { describe, expect, it } from 'vitest';
import { checkEmail, checkPassword, checkPhone, checkRule, checkSignUp, checkTotp, parsePoint } from './validation';

describe('sign-up validation', () => {
  const ok = { full_name: 'Asha Rao', email: 'asha@example.com', password: 'correct horse battery', confirm: 'correct horse battery', phone: '' };
  it('accepts a good form', () => {
    expect(checkSignUp(ok)).toEqual({});
  });
  it('reports each bad field', () => {
    const e = checkSignUp({ full_name: ' ', email: 'asha@', password: 'short', confirm: 'other', phone: '98123' });
    expect(Object.keys(e).sort()).toEqual(['confirm', 'email', 'full_name', 'password', 'phone']);
  });
  it('applies the API password bounds (10..128)', () => {
    expect(checkPassword('123456789')).toBeDefined();
    expect(checkPassword('1234567890')).toBeUndefined();
    expect(checkPassword('x'.repeat(129))).toBeDefined();
  });
  it('checks emails, phones and codes', () => {
    expect(checkEmail('a@b.co')).toBeUndefined();
    expect(checkEmail('a b@c.d')).toBeDefined();
    expect(checkPhone('+919812345678')).toBeUndefined();
    expect(checkPhone('9812345678')).toBeDefined();
    expect(checkTotp('123456')).toBeUndefined();
    expect(checkTotp('12345')).toBeDefined();
    expect(checkTotp('12a456')).toBeDefined();
  });
});

describe('availability rule validation', () => {
  const rule = { weekday: 1, start_local: '09:00', end_local: '13:00', slot_minutes: 15 };
  it('accepts a good rule', () => expect(checkRule(rule)).toBeUndefined());
  it('rejects end before start, bad times, slots that do not fit', () => {
    expect(checkRule({ ...rule, end_local: '08:00' })).toMatch(/after the start/);
    expect(checkRule({ ...rule, start_local: '9:00' })).toMatch(/09:30/);
    expect(checkRule({ ...rule, start_local: '24:00' })).toBeDefined();
    expect(checkRule({ ...rule, end_local: '09:10' })).toMatch(/shorter than one slot/);
    expect(checkRule({ ...rule, slot_minutes: 2 })).toBeDefined();
  });
});

describe('a facility location', () => {
  it('reads latitude then longitude as a map app copies them', () => {
    expect(parsePoint('12.9716, 77.5946')).toEqual({ latitude: 12.9716, longitude: 77.5946 });
    expect(parsePoint(' -33.8688 151.2093 ')).toEqual({ latitude: -33.8688, longitude: 151.2093 });
    expect(parsePoint('')).toBeNull();
  });
  it('refuses what is not a point on Earth', () => {
    expect(parsePoint('12.97')).toBeUndefined();
    expect(parsePoint('91, 77')).toBeUndefined();
    expect(parsePoint('12, 181')).toBeUndefined();
    expect(parsePoint('MG Road')).toBeUndefined();
  });
});
