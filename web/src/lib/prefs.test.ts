import { describe, expect, it } from 'vitest';
import { formFromApi, isTimeZone, quietMinutes, requestFromForm, validatePrefs, type Preferences } from './prefs';

const api: Preferences = {
  categories: [
    { category: 'appointments', email: true, in_app: true, sms: true, push: false },
    { category: 'marketing', email: false, in_app: false, sms: false, push: false },
  ],
  quiet_hours: { start_local: '22:30', end_local: '06:45', timezone: 'Asia/Kolkata' },
  locale: 'hi',
};

describe('notification preferences form', () => {
  it('starts from the saved preferences and turns back into the same PUT body', () => {
    const f = formFromApi(api, 'UTC');
    expect(f.channels.appointments).toEqual({ in_app: true, email: true, sms: true });
    expect(f.channels.forum).toEqual({ in_app: false, email: false, sms: false }); // absent: off
    expect(f).toMatchObject({ quietOn: true, start: '22:30', end: '06:45', timezone: 'Asia/Kolkata', locale: 'hi' });
    const body = requestFromForm(f);
    expect(body.quiet_hours).toEqual(api.quiet_hours);
    expect(body.clear_quiet_hours).toBeUndefined();
    expect(body.categories).toContainEqual({ category: 'appointments', in_app: true, email: true, sms: true });
    expect(body.categories).toHaveLength(4);
    expect(body.categories!.map((c) => c.category)).not.toContain('account'); // cannot be turned off
    expect(body.locale).toBe('hi');
  });

  it('without quiet hours offers 22:00–07:00 in the browser time zone and clears them on save', () => {
    const f = formFromApi({ categories: [], locale: 'en' }, 'Europe/Berlin');
    expect(f).toMatchObject({ quietOn: false, start: '22:00', end: '07:00', timezone: 'Europe/Berlin' });
    expect(requestFromForm(f)).toMatchObject({ clear_quiet_hours: true });
    expect(requestFromForm(f).quiet_hours).toBeUndefined();
  });

  it('validates quiet hours only when they are on', () => {
    const f = formFromApi(api, 'UTC');
    expect(validatePrefs(f)).toEqual({});
    expect(validatePrefs({ ...f, start: '24:00' })).toHaveProperty('start');
    expect(validatePrefs({ ...f, end: '7:00' })).toHaveProperty('end');
    expect(validatePrefs({ ...f, end: '22:30' })).toEqual({ end: 'The end must differ from the start.' });
    expect(validatePrefs({ ...f, timezone: 'Mars/Olympus' })).toHaveProperty('timezone');
    expect(validatePrefs({ ...f, timezone: 'IST' })).toHaveProperty('timezone');
    expect(validatePrefs({ ...f, quietOn: false, start: 'x', timezone: '' })).toEqual({});
    expect(validatePrefs({ ...f, locale: 'fr' })).toHaveProperty('locale');
  });

  it('knows IANA zones and counts quiet minutes across midnight', () => {
    expect(isTimeZone('Asia/Kolkata')).toBe(true);
    expect(isTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isTimeZone('Not/AZone')).toBe(false);
    expect(quietMinutes('22:00', '07:00')).toBe(540);
    expect(quietMinutes('13:00', '14:30')).toBe(90);
  });
});
