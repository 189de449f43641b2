import { describe, expect, it } from 'vitest';
import { addDays, canonicalZone, dayKey, groupSlotsByDay, offsetMs, startOfDay, timeLabel, weekOf } from './time';

describe('dayKey', () => {
  it('reads the local date in the zone, not UTC', () => {
    // 20:00 UTC on the 1st is 01:30 on the 2nd in India.
    expect(dayKey('2026-12-01T20:00:00Z', 'Asia/Kolkata')).toBe('2026-12-02');
    expect(dayKey('2026-12-01T20:00:00Z', 'UTC')).toBe('2026-12-01');
    expect(dayKey('2026-12-01T03:00:00Z', 'America/New_York')).toBe('2026-11-30');
  });
});

describe('startOfDay', () => {
  it('is local midnight', () => {
    expect(new Date(startOfDay('2026-12-02', 'Asia/Kolkata')).toISOString()).toBe('2026-12-01T18:30:00.000Z');
    expect(new Date(startOfDay('2026-07-01', 'Europe/London')).toISOString()).toBe('2026-06-30T23:00:00.000Z');
  });
  it('handles days that begin or end a DST period', () => {
    // New York springs forward on 8 March 2026 at 02:00 (EST -5 before midnight).
    expect(new Date(startOfDay('2026-03-08', 'America/New_York')).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(new Date(startOfDay('2026-03-09', 'America/New_York')).toISOString()).toBe('2026-03-09T04:00:00.000Z');
    // Santiago's clocks jump from 24:00 to 01:00 on 6 Sep 2026: the day starts at 01:00.
    const t = startOfDay('2026-09-06', 'America/Santiago');
    expect(dayKey(t, 'America/Santiago')).toBe('2026-09-06');
    expect(dayKey(t - 1, 'America/Santiago')).toBe('2026-09-05');
  });
});

describe('offsetMs', () => {
  it('gives the zone offset', () => {
    expect(offsetMs(Date.parse('2026-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * 3600_000);
    expect(offsetMs(Date.parse('2026-01-01T00:00:00Z'), 'America/New_York')).toBe(-5 * 3600_000);
  });
});

describe('addDays / weekOf', () => {
  it('crosses months and leap days', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(weekOf('2026-12-29')).toEqual(['2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03', '2027-01-04']);
  });
});

describe('groupSlotsByDay', () => {
  const slots = [
    { start: '2026-12-02T04:00:00Z', id: 'b' }, // 09:30 IST on the 2nd
    { start: '2026-12-01T19:00:00Z', id: 'a' }, // 00:30 IST on the 2nd
    { start: '2026-12-01T18:00:00Z', id: 'x' }, // 23:30 IST on the 1st
    { start: '2026-12-09T04:00:00Z', id: 'late' }, // outside the week
    { id: 'nostart' },
  ];
  it('buckets by local date in the viewer zone, sorted, every day present', () => {
    const days = weekOf('2026-12-02');
    const g = groupSlotsByDay(slots, 'Asia/Kolkata', days);
    expect([...g.keys()]).toEqual(days);
    expect(g.get('2026-12-02')!.map((s) => s.id)).toEqual(['a', 'b']);
    expect(g.get('2026-12-03')).toEqual([]);
    expect([...g.values()].flat().map((s) => s.id)).not.toContain('late');
    expect([...g.values()].flat().map((s) => s.id)).not.toContain('x');
  });
  it('moves the same instants to other days in another zone', () => {
    const g = groupSlotsByDay(slots, 'UTC', weekOf('2026-12-01'));
    expect(g.get('2026-12-01')!.map((s) => s.id)).toEqual(['x', 'a']);
    expect(g.get('2026-12-02')!.map((s) => s.id)).toEqual(['b']);
  });
  it('labels times in the zone', () => {
    expect(timeLabel('2026-12-02T04:00:00Z', 'Asia/Kolkata')).toBe('09:30');
    expect(timeLabel('2026-12-02T04:00:00Z', 'UTC')).toBe('04:00');
  });
});

describe('zone names', () => {
  it('shows old names under their current ones', () => {
    expect(canonicalZone('Asia/Calcutta')).toBe('Asia/Kolkata');
    expect(canonicalZone('Europe/London')).toBe('Europe/London');
  });
});
