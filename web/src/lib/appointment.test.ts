import { describe, expect, it } from 'vitest';
import { addressLine, dayWords, googleCalendarUrl, initials, icsFor, languageNames, paymentWords, placeLine, statusWords, titleCase } from './appointment';

const visit = {
  id: 'a1b2',
  start: '2026-12-09T05:45:00Z',
  end: '2026-12-09T06:15:00Z',
  mode: 'in_person',
  status: 'booked',
  practitioner_name: 'Dr. Meera Iyer',
  practitioner_specialty: 'cardiology',
  facility_name: 'Sunrise Indiranagar',
  facility_address: { line1: '100 Feet Road', line2: '', city: 'Bengaluru', state: 'Karnataka', pincode: '560038' },
  facility_phone: '+918041230000',
};

describe('appointment words', () => {
  it('says statuses and payments as people do', () => {
    expect(statusWords('pending_payment')).toBe('Waiting for payment');
    expect(statusWords('no_show')).toBe('Missed');
    expect(statusWords('something_new')).toBe('something new');
    expect(paymentWords('at_clinic')).toBe('Pay at the clinic');
    expect(paymentWords('free')).toBe('Free');
    expect(titleCase('general medicine')).toBe('General Medicine');
    expect(languageNames(['en', 'hi'])).toBe('English, Hindi');
    expect(initials('Dr. Meera Iyer')).toBe('MI');
    expect(initials('Asha')).toBe('A');
    expect(initials('')).toBe('?');
    expect(dayWords('2026-12-06', '2026-12-06')).toBe('today');
    expect(dayWords('2026-12-07', '2026-12-06')).toBe('tomorrow');
    expect(dayWords('2026-12-08', '2026-12-06')).toBe('Tue 8 Dec');
  });
  it('writes the place on one line', () => {
    expect(addressLine(visit.facility_address)).toBe('100 Feet Road, Bengaluru, Karnataka 560038');
    expect(placeLine(visit)).toBe('Sunrise Indiranagar, 100 Feet Road, Bengaluru, Karnataka 560038');
    expect(placeLine({ ...visit, mode: 'video' })).toBe('Video consultation');
  });
});

describe('calendar entry', () => {
  it('is an iCalendar event in UTC with escaped text and folded lines', () => {
    const ics = icsFor(visit, 'https://app.example/appointments/a1b2', new Date('2026-12-05T10:00:00Z'));
    const lines = ics.split('\r\n');
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(lines).toContain('DTSTART:20261209T054500Z');
    expect(lines).toContain('DTEND:20261209T061500Z');
    expect(lines).toContain('DTSTAMP:20261205T100000Z');
    expect(lines).toContain('SUMMARY:Appointment with Dr. Meera Iyer');
    expect(lines).toContain('UID:a1b2@healthtech');
    // Commas are escaped; long lines are folded at 75 octets.
    const unfolded = ics.replace(/\r\n /g, '');
    expect(unfolded).toContain('LOCATION:Sunrise Indiranagar\\, 100 Feet Road\\, Bengaluru\\, Karnataka 560038');
    expect(unfolded).toContain('DESCRIPTION:Dr. Meera Iyer\\, Cardiology\\n');
    for (const line of lines) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
  });
  it('gives video visits their room as the place', () => {
    const ics = icsFor({ ...visit, mode: 'video', video_url: 'https://meet.example/r1' }, 'https://app.example/x');
    expect(ics.replace(/\r\n /g, '')).toContain('LOCATION:https://meet.example/r1');
  });
  it('links to Google Calendar with the same times', () => {
    const url = new URL(googleCalendarUrl(visit, 'https://app.example/appointments/a1b2'));
    expect(url.hostname).toBe('calendar.google.com');
    expect(url.searchParams.get('dates')).toBe('20261209T054500Z/20261209T061500Z');
    expect(url.searchParams.get('text')).toBe('Appointment with Dr. Meera Iyer');
    expect(url.searchParams.get('location')).toContain('100 Feet Road');
  });
});
