import { describe, expect, it } from 'vitest';
import { byDay, copyDay, MON_TO_SAT, sortWeek } from './week';

const r = (weekday: string, start_local: string, end_local = '13:00', mode = 'in_person') => ({ weekday, start_local, end_local, mode });

describe('week', () => {
  it('copies a day to Monday–Saturday, replacing their hours and leaving Sunday', () => {
    const rules = [r('monday', '09:00'), r('monday', '17:00', '19:00', 'video'), r('tuesday', '10:00'), r('sunday', '08:00')];
    const out = copyDay(rules, 'monday', MON_TO_SAT);
    const days = byDay(out);
    for (const d of MON_TO_SAT) expect(days[d].map((x) => `${x.start_local}-${x.end_local}-${x.mode}`)).toEqual(['09:00-13:00-in_person', '17:00-19:00-video']);
    expect(days.sunday).toEqual([r('sunday', '08:00')]);
    expect(out).toHaveLength(13);
  });

  it('copying an empty day clears the others; copying from Sunday keeps Sunday', () => {
    const rules = [r('tuesday', '10:00'), r('sunday', '08:00')];
    expect(copyDay(rules, 'monday', MON_TO_SAT)).toEqual([r('sunday', '08:00')]);
    expect(byDay(copyDay(rules, 'sunday', MON_TO_SAT)).friday).toEqual([r('friday', '08:00')]);
  });

  it('orders Monday first, then by start time', () => {
    expect(sortWeek([r('sunday', '08:00'), r('monday', '14:00'), r('monday', '09:00')]).map((x) => `${x.weekday} ${x.start_local}`)).toEqual([
      'monday 09:00',
      'monday 14:00',
      'sunday 08:00',
    ]);
  });
});
