import { describe, expect, it } from 'vitest';
import { appointmentsPerDay, noShowRate, revenuePerWeek, weekStart } from './dashboard';

describe('dashboard figures', () => {
  const appts = [
    { start: '2026-12-01T04:00:00Z', status: 'completed' },
    { start: '2026-12-01T05:00:00Z', status: 'no_show' },
    { start: '2026-12-01T20:00:00Z', status: 'booked' }, // the 2nd in India
    { start: '2026-12-02T05:00:00Z', status: 'completed' },
    { start: '2026-12-02T06:00:00Z', status: 'expired' }, // not charted
  ];
  it('counts per local day and status', () => {
    const rows = appointmentsPerDay(appts, 'Asia/Kolkata', ['2026-12-01', '2026-12-02', '2026-12-03']);
    expect(rows[0]).toMatchObject({ day: '2026-12-01', completed: 1, no_show: 1, booked: 0 });
    expect(rows[1]).toMatchObject({ day: '2026-12-02', completed: 1, booked: 1 });
    expect(rows[2]).toMatchObject({ completed: 0, booked: 0 });
  });
  it('no-show rate over known outcomes', () => {
    expect(noShowRate(appts)).toBeCloseTo(1 / 3);
    expect(noShowRate([{ status: 'booked' }])).toBeNull();
  });
  it('weeks start on Monday', () => {
    expect(weekStart('2026-12-02')).toBe('2026-11-30'); // Wednesday
    expect(weekStart('2026-11-30')).toBe('2026-11-30');
    expect(weekStart('2026-12-06')).toBe('2026-11-30'); // Sunday
  });
  it('net revenue per week', () => {
    const r = revenuePerWeek(
      [
        { captured_at: '2026-12-01T04:00:00Z', amount: { amount_minor: '50000' } },
        { captured_at: '2026-12-03T04:00:00Z', amount: { amount_minor: 30000 }, amount_refunded: { amount_minor: 10000 } },
        { captured_at: '2026-12-08T04:00:00Z', amount: { amount_minor: 1000 } },
        { captured_at: '2026-12-08T05:00:00Z', status: 'refunded', amount: { amount_minor: 4000 }, amount_refunded: { amount_minor: 0 } },
        { status: 'created', amount: { amount_minor: 999 } },
      ],
      'Asia/Kolkata',
    );
    expect(r).toEqual([
      { week: '2026-11-30', amount_minor: 70000 },
      { week: '2026-12-07', amount_minor: 1000 },
    ]);
  });
});
