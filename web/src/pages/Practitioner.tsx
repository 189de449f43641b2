import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { Trans, useTranslation } from 'react-i18next';
import { PhotoEditor } from '../components/PhotoEditor';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, get, post, put } from '../api/client';
import { getAll } from '../api/paged';
import type { Appointment, Availability, Facility, Page, Practitioner } from '../api/types';
import { orgIdsFor } from '../auth/tokens';
import { useClaims } from '../auth/session';
import { ErrorBox, Field, Loading, Notice, QueryState, Select, money } from '../components/ui';
import { addDays, browserTimeZone, dateTimeLabel, dayKey, isValidTimeZone, startOfDay, timeLabel } from '../lib/time';
import { checkRule, validate } from '../lib/validation';
import { byDay, copyDay, MON_TO_SAT, WEEKDAYS } from '../lib/week';
import { useSubmit } from './Auth';
import { paymentWords, statusWords } from '../lib/appointment';
import { intlLocale } from '../i18n';


/** The weekday names, Monday first, in the interface language ("Monday", "सोमवार"). */
function weekdayNames(language: string): string[] {
  const f = new Intl.DateTimeFormat(intlLocale(language), { weekday: 'long', timeZone: 'UTC' });
  return WEEKDAYS.map((_, i) => f.format(Date.UTC(2024, 0, 1 + i))); // 1 January 2024 was a Monday
}

const MODES = ['in_person', 'video'] as const;

/** The signed-in practitioner's profile id (GET /v1/practitioners/me; none yet → null). */
function useMyPractitionerId(): { id: string | null; loading: boolean } {
  const claims = useClaims();
  const q = useQuery({
    queryKey: ['my-practitioner', claims?.sub],
    enabled: !!claims,
    queryFn: async () => {
      try {
        return (await get<Practitioner>('/v1/practitioners/me')).id ?? null;
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    },
  });
  return { id: q.data ?? null, loading: !!claims && q.isPending };
}

function useMyFacilities() {
  const claims = useClaims();
  const orgs = orgIdsFor(claims, 'practitioner').concat(orgIdsFor(claims, 'org_admin'));
  return useQuery({
    queryKey: ['my-facilities', orgs.join()],
    queryFn: async () => (await Promise.all(orgs.map((o) => get<Page<Facility>>(`/v1/organizations/${o}/facilities`)))).flatMap((p) => p.items ?? []),
  });
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function ProfileEditor() {
  const { t } = useTranslation('practice');
  const qc = useQueryClient();
  const claims = useClaims();
  const facilities = useMyFacilities();
  const [f, setF] = useState({ display_name: '', specialties: '', qualifications: '', registration_number: '', hpr_id: '', hpr_address: '', languages: 'en', years: '0', bio: '', first_fee: '', follow_fee: '' });
  const [modes, setModes] = useState<string[]>(['in_person']);
  const [gender, setGender] = useState('');
  const [facilityIds, setFacilityIds] = useState<string[]>([]);
  const [saved, setSaved] = useState<Practitioner | null>(null);
  const s = useSubmit();
  const me = useMyPractitionerId();
  const existing = useQuery({ queryKey: ['practitioner', me.id], queryFn: () => get<Practitioner>(`/v1/practitioners/${me.id}`), enabled: !!me.id });
  const [filled, setFilled] = useState(false);
  useEffect(() => {
    const p = existing.data;
    if (!p || filled) return;
    setFilled(true);
    const rupees = (m?: { amount_minor?: number | string }) => (m?.amount_minor !== undefined ? String(Number(m.amount_minor) / 100) : '');
    setF({
      display_name: p.display_name ?? '',
      specialties: (p.specialties ?? []).join(', '),
      qualifications: (p.qualifications ?? []).join(', '),
      registration_number: p.registration_number ?? '',
      hpr_id: p.hpr_id ?? '',
      hpr_address: p.hpr_address ?? '',
      languages: (p.languages ?? []).join(', '),
      years: String(p.years_of_experience ?? 0),
      bio: p.bio ?? '',
      first_fee: rupees(p.fees?.first_visit),
      follow_fee: rupees(p.fees?.follow_up),
    });
    setModes((p.consultation_modes ?? []).map(String));
    setGender(p.gender ?? '');
    setFacilityIds((p.facilities ?? []).map((x) => x.facility_id ?? '').filter(Boolean));
  }, [existing.data, filled]);
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement>) => setF({ ...f, [k]: e.target.value });
  const fee = (rupees: string) => (rupees.trim() ? { amount_minor: Math.round(Number(rupees) * 100), currency: 'INR' } : undefined);
  return (
    <section>
      <h1>{t('profile.title')}</h1>
      <p>
        <Link to="/practice/availability">{t('links.availability')}</Link> · <Link to="/practice/today">{t('links.today')}</Link>
      </p>
      {existing.data && <PhotoEditor practitioner={existing.data} onChange={(p) => qc.setQueryData(['practitioner', me.id], p)} />}
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          s.run(
            validate({
              display_name: f.display_name.trim() ? undefined : t('profile.errors.displayName'),
              specialties: list(f.specialties).length ? undefined : t('profile.errors.specialties'),
              facility_ids: facilityIds.length ? undefined : t('profile.errors.facilities'),
            }),
            async () => {
              const p = await put<Practitioner>('/v1/practitioners/me', {
                display_name: f.display_name.trim(),
                specialties: list(f.specialties),
                qualifications: list(f.qualifications),
                registration_number: f.registration_number.trim(),
                hpr_id: f.hpr_id.trim(),
                hpr_address: f.hpr_address.trim(),
                languages: list(f.languages),
                years_of_experience: Number(f.years) || 0,
                bio: f.bio.trim(),
                consultation_modes: modes,
                fees: { first_visit: fee(f.first_fee), follow_up: fee(f.follow_fee) },
                facility_ids: facilityIds,
                ...(gender ? { gender: gender as NonNullable<Practitioner['gender']> } : {}),
              });
              qc.setQueryData(['my-practitioner', claims?.sub], p.id ?? null);
              setSaved(p);
            },
          );
        }}
      >
        <ErrorBox error={s.error} shownFields={['display_name', 'specialties', 'facility_ids', 'hpr_id', 'hpr_address']} />
        <Field label={t('profile.displayName')} value={f.display_name} onChange={set('display_name')} error={s.fields.display_name} />
        <Field label={t('profile.specialties')} value={f.specialties} onChange={set('specialties')} error={s.fields.specialties} />
        <Field label={t('profile.qualifications')} value={f.qualifications} onChange={set('qualifications')} />
        <Field label={t('profile.registrationNumber')} value={f.registration_number} onChange={set('registration_number')} />
        <Field label={t('profile.hprId')} hint={t('profile.hprIdHint')} inputMode="numeric" autoComplete="off" value={f.hpr_id} onChange={set('hpr_id')} error={s.fields.hpr_id} />
        <Field label={t('profile.hprAddress')} hint={t('profile.hprAddressHint')} autoComplete="off" spellCheck={false} value={f.hpr_address} onChange={set('hpr_address')} error={s.fields.hpr_address} />
        <Field label={t('profile.languages')} value={f.languages} onChange={set('languages')} />
        <Field label={t('profile.years')} type="number" min={0} value={f.years} onChange={set('years')} />
        <Select label={t('profile.gender')} value={gender} onChange={(e) => setGender(e.target.value)}>
          <option value="">{t('profile.genderUnsaid')}</option>
          <option value="female">{t('profile.genderFemale')}</option>
          <option value="male">{t('profile.genderMale')}</option>
          <option value="other">{t('profile.genderOther')}</option>
        </Select>
        <Field label={t('profile.bio')} value={f.bio} onChange={set('bio')} />
        <Field label={t('profile.firstFee')} type="number" min={0} value={f.first_fee} onChange={set('first_fee')} />
        <Field label={t('profile.followFee')} type="number" min={0} value={f.follow_fee} onChange={set('follow_fee')} />
        <fieldset>
          <legend>{t('profile.consultations')}</legend>
          {MODES.map((m) => (
            <label key={m} className="check">
              <input type="checkbox" checked={modes.includes(m)} onChange={(e) => setModes(e.target.checked ? [...modes, m] : modes.filter((x) => x !== m))} /> {t(`modes.${m}`)}
            </label>
          ))}
        </fieldset>
        <fieldset aria-describedby={s.fields.facility_ids ? 'fac-err' : undefined}>
          <legend>{t('profile.whereYouConsult')}</legend>
          {facilities.isPending && <Loading what={t('profile.loadingFacilities')} />}
          <ErrorBox error={facilities.error} />
          {(facilities.data ?? []).map((fac) => (
            <label key={fac.id} className="check">
              <input
                type="checkbox"
                checked={facilityIds.includes(fac.id!)}
                onChange={(e) => setFacilityIds(e.target.checked ? [...facilityIds, fac.id!] : facilityIds.filter((x) => x !== fac.id))}
              />{' '}
              {fac.name} ({fac.timezone})
            </label>
          ))}
          {s.fields.facility_ids && (
            <p className="field-error" id="fac-err">
              {s.fields.facility_ids}
            </p>
          )}
        </fieldset>
        <button type="submit" disabled={s.busy}>
          {t('profile.save')}
        </button>
      </form>
      {saved && (
        <Notice>
          <Trans t={t} i18nKey="profile.saved" components={{ page: <Link to={`/practitioners/${saved.id}`} />, hours: <Link to="/practice/availability" /> }} />
        </Notice>
      )}
    </section>
  );
}

interface RuleRow {
  weekday: string;
  facility_id: string;
  mode: string;
  start_local: string;
  end_local: string;
  slot_minutes: number;
}
interface ExtraRow extends Omit<RuleRow, 'weekday'> {
  date: string;
}
interface OffRow {
  start_date: string;
  end_date: string;
  note: string;
}

export function AvailabilityEditor() {
  const { t } = useTranslation('practice');
  const me = useMyPractitionerId();
  const facilities = useMyFacilities();
  if (me.loading) return <Loading what={t('availability.findingProfile')} />;
  if (!me.id)
    return (
      <section>
        <h1>{t('availability.title')}</h1>
        <p>
          <Trans t={t} i18nKey="availability.noProfile" components={{ profile: <Link to="/practice/profile" /> }} />
        </p>
      </section>
    );
  return <AvailabilityForm pid={me.id} facilities={facilities.data ?? []} />;
}

/** The week at a glance: each day's hours, with "add" and "copy to Mon–Sat" per day. */
function WeekGrid({
  rules,
  dayNames,
  onAdd,
  onCopy,
}: {
  rules: RuleRow[];
  dayNames: string[];
  onAdd: (weekday: string) => void;
  onCopy: (weekday: string) => void;
}) {
  const { t } = useTranslation('practice');
  const days = byDay(rules);
  const [copied, setCopied] = useState('');
  return (
    <>
      <ul className="week-grid" aria-label={t('grid.title')}>
        {WEEKDAYS.map((d, k) => (
          <li key={d} data-testid={`week-${d}`}>
            <h3>{dayNames[k]}</h3>
            {days[d].length === 0 ? (
              <p className="muted">{t('grid.closed')}</p>
            ) : (
              <ul>
                {days[d].map((r, i) => (
                  <li key={i}>
                    {t('grid.range', { from: r.start_local, to: r.end_local })}
                    <span className="muted"> · {r.mode === 'video' ? t('availability.video') : t('availability.inPerson')}</span>
                  </li>
                ))}
              </ul>
            )}
            <p className="week-actions">
              <button type="button" className="link" aria-label={t('grid.addLabel', { day: dayNames[k] })} onClick={() => onAdd(d)}>
                {t('grid.add')}
              </button>
              {days[d].length > 0 && (
                <button
                  type="button"
                  className="link"
                  aria-label={t('grid.copyLabel', { day: dayNames[k] })}
                  onClick={() => {
                    onCopy(d);
                    setCopied(dayNames[k]);
                  }}
                >
                  {t('grid.copy')}
                </button>
              )}
            </p>
          </li>
        ))}
      </ul>
      <p role="status" className="muted">
        {copied ? t('grid.copied', { day: copied }) : ''}
      </p>
    </>
  );
}

function AvailabilityForm({ pid, facilities }: { pid: string; facilities: Facility[] }) {
  const { t, i18n } = useTranslation('practice');
  const dayNames = weekdayNames(i18n.language);
  const qc = useQueryClient();
  const current = useQuery({
    queryKey: ['availability', pid],
    queryFn: () => get<Availability>(`/v1/practitioners/${pid}/availability`).catch((e) => (e instanceof ApiError && e.status === 404 ? ({} as Availability) : Promise.reject(e))),
  });
  const defFacility = facilities[0]?.id ?? '';
  const [tz, setTz] = useState('');
  const [rules, setRules] = useState<RuleRow[]>([]);
  const [extra, setExtra] = useState<ExtraRow[]>([]);
  const [off, setOff] = useState<OffRow[]>([]);
  const [notice, setNotice] = useState('60');
  const [cutoff, setCutoff] = useState('240');
  const [saved, setSaved] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    const a = current.data;
    // Fill the form once: later refetches must not wipe what is being edited.
    if (!a || loaded) return;
    setLoaded(true);
    setTz(a.timezone || facilities[0]?.timezone || browserTimeZone());
    setRules((a.rules ?? []).map((r) => ({ weekday: r.weekday ?? 'monday', facility_id: r.facility_id ?? '', mode: r.mode ?? 'in_person', start_local: r.start_local ?? '09:00', end_local: r.end_local ?? '13:00', slot_minutes: r.slot_minutes ?? 15 })));
    setExtra((a.extra_hours ?? []).map((r) => ({ date: r.date ?? '', facility_id: r.facility_id ?? '', mode: r.mode ?? 'in_person', start_local: r.start_local ?? '', end_local: r.end_local ?? '', slot_minutes: r.slot_minutes ?? 15 })));
    setOff((a.time_off ?? []).map((o) => ({ start_date: o.start_date ?? '', end_date: o.end_date ?? '', note: o.note ?? '' })));
    if (a.min_notice_minutes !== undefined) setNotice(String(a.min_notice_minutes));
    if (a.cancellation_cutoff_minutes !== undefined) setCutoff(String(a.cancellation_cutoff_minutes));
  }, [current.data, facilities, loaded]);
  const save = useMutation({
    mutationFn: () =>
      put(`/v1/practitioners/${pid}/availability`, {
        timezone: tz,
        rules: rules.map((r) => ({ ...r, slot_minutes: Number(r.slot_minutes) })),
        extra_hours: extra.map((r) => ({ ...r, slot_minutes: Number(r.slot_minutes) })),
        time_off: off.map((o) => ({ start_date: o.start_date, end_date: o.end_date || o.start_date, ...(o.note ? { note: o.note } : {}) })),
        min_notice_minutes: Number(notice) || 0,
        horizon_days: 60,
        cancellation_cutoff_minutes: Number(cutoff) || 0,
      }),
    onSuccess: () => {
      setSaved(true);
      qc.invalidateQueries({ queryKey: ['availability', pid] });
      qc.invalidateQueries({ queryKey: ['slots', pid] });
    },
  });
  if (current.isPending) return <Loading what={t('availability.loading')} />;
  const rowErr = (k: string) => errors[k];
  const facilitySelect = (value: string, onChange: (v: string) => void, lbl: string) => (
    <Select label={lbl} value={value} onChange={(e) => onChange(e.target.value)}>
      {facilities.map((f) => (
        <option key={f.id} value={f.id}>
          {f.name}
        </option>
      ))}
    </Select>
  );
  return (
    <section>
      <h1>{t('availability.title')}</h1>
      <ErrorBox error={current.error} />
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          const errs: Record<string, string> = {};
          if (!isValidTimeZone(tz)) errs.timezone = t('availability.errors.timezone');
          rules.forEach((r, i) => {
            const m = checkRule({ ...r, weekday: 0, slot_minutes: Number(r.slot_minutes) });
            if (m) errs[`rule${i}`] = m;
          });
          extra.forEach((r, i) => {
            const m = !r.date ? t('availability.errors.date') : checkRule({ ...r, weekday: 0, slot_minutes: Number(r.slot_minutes) });
            if (m) errs[`extra${i}`] = m;
          });
          off.forEach((o, i) => {
            if (!o.start_date) errs[`off${i}`] = t('availability.errors.firstDayOff');
            else if (o.end_date && o.end_date < o.start_date) errs[`off${i}`] = t('availability.errors.lastBeforeFirst');
          });
          setErrors(errs);
          if (!Object.keys(errs).length) save.mutate();
        }}
      >
        <Field label={t('availability.timezone')} value={tz} onChange={(e) => setTz(e.target.value)} error={errors.timezone} />
        <h2>{t('availability.weekly')}</h2>
        <WeekGrid
          rules={rules}
          dayNames={dayNames}
          onAdd={(weekday) => setRules([...rules, { weekday, facility_id: defFacility, mode: 'in_person', start_local: '09:00', end_local: '13:00', slot_minutes: 15 }])}
          onCopy={(weekday) => setRules(copyDay(rules, weekday, MON_TO_SAT))}
        />
        {rules.length === 0 && <p className="muted">{t('availability.noWeekly')}</p>}
        {rules.map((r, i) => {
          const upd = (patch: Partial<RuleRow>) => setRules(rules.map((x, j) => (j === i ? { ...x, ...patch } : x)));
          return (
            <fieldset key={i} className="row">
              <legend>{t('availability.weeklyRow', { n: i + 1 })}</legend>
              <Select label={t('availability.day')} value={r.weekday} onChange={(e) => upd({ weekday: e.target.value })}>
                {WEEKDAYS.map((d, k) => (
                  <option key={d} value={d}>
                    {dayNames[k]}
                  </option>
                ))}
              </Select>
              {facilitySelect(r.facility_id, (v) => upd({ facility_id: v }), t('availability.facility'))}
              <Select label={t('availability.mode')} value={r.mode} onChange={(e) => upd({ mode: e.target.value })}>
                <option value="in_person">{t('availability.inPerson')}</option>
                <option value="video">{t('availability.video')}</option>
              </Select>
              <Field label={t('availability.from')} type="time" value={r.start_local} onChange={(e) => upd({ start_local: e.target.value })} />
              <Field label={t('availability.to')} type="time" value={r.end_local} onChange={(e) => upd({ end_local: e.target.value })} />
              <Field label={t('availability.slotMinutes')} type="number" min={5} max={240} value={r.slot_minutes} onChange={(e) => upd({ slot_minutes: Number(e.target.value) })} />
              {rowErr(`rule${i}`) && <p className="field-error">{rowErr(`rule${i}`)}</p>}
              <button type="button" className="link" onClick={() => setRules(rules.filter((_, j) => j !== i))}>
                {t('availability.remove')}
              </button>
            </fieldset>
          );
        })}
        <button
          type="button"
          className="secondary"
          onClick={() => setRules([...rules, { weekday: 'monday', facility_id: defFacility, mode: 'in_person', start_local: '09:00', end_local: '13:00', slot_minutes: 15 }])}
        >
          {t('availability.addWeekly')}
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() =>
            setRules([
              ...rules,
              ...WEEKDAYS.map((d) => ({ weekday: d, facility_id: defFacility, mode: 'in_person', start_local: '00:00', end_local: '23:45', slot_minutes: 15 })),
            ])
          }
        >
          {t('availability.addEveryDay')}
        </button>
        <h2>{t('availability.extra')}</h2>
        {extra.map((r, i) => {
          const upd = (patch: Partial<ExtraRow>) => setExtra(extra.map((x, j) => (j === i ? { ...x, ...patch } : x)));
          return (
            <fieldset key={i} className="row">
              <legend>{t('availability.extraRow', { n: i + 1 })}</legend>
              <Field label={t('availability.date')} type="date" value={r.date} onChange={(e) => upd({ date: e.target.value })} />
              {facilitySelect(r.facility_id, (v) => upd({ facility_id: v }), t('availability.facility'))}
              <Field label={t('availability.from')} type="time" value={r.start_local} onChange={(e) => upd({ start_local: e.target.value })} />
              <Field label={t('availability.to')} type="time" value={r.end_local} onChange={(e) => upd({ end_local: e.target.value })} />
              <Field label={t('availability.slotMinutes')} type="number" value={r.slot_minutes} onChange={(e) => upd({ slot_minutes: Number(e.target.value) })} />
              {rowErr(`extra${i}`) && <p className="field-error">{rowErr(`extra${i}`)}</p>}
              <button type="button" className="link" onClick={() => setExtra(extra.filter((_, j) => j !== i))}>
                {t('availability.remove')}
              </button>
            </fieldset>
          );
        })}
        <button type="button" className="secondary" onClick={() => setExtra([...extra, { date: '', facility_id: defFacility, mode: 'in_person', start_local: '10:00', end_local: '12:00', slot_minutes: 15 }])}>
          {t('availability.addExtra')}
        </button>
        <h2>{t('availability.timeOff')}</h2>
        {off.map((o, i) => {
          const upd = (patch: Partial<OffRow>) => setOff(off.map((x, j) => (j === i ? { ...x, ...patch } : x)));
          return (
            <fieldset key={i} className="row">
              <legend>{t('availability.timeOffRow', { n: i + 1 })}</legend>
              <Field label={t('availability.firstDay')} type="date" value={o.start_date} onChange={(e) => upd({ start_date: e.target.value })} />
              <Field label={t('availability.lastDay')} type="date" value={o.end_date} onChange={(e) => upd({ end_date: e.target.value })} />
              <Field label={t('availability.note')} value={o.note} onChange={(e) => upd({ note: e.target.value })} />
              {rowErr(`off${i}`) && <p className="field-error">{rowErr(`off${i}`)}</p>}
              <button type="button" className="link" onClick={() => setOff(off.filter((_, j) => j !== i))}>
                {t('availability.remove')}
              </button>
            </fieldset>
          );
        })}
        <button type="button" className="secondary" onClick={() => setOff([...off, { start_date: '', end_date: '', note: '' }])}>
          {t('availability.addTimeOff')}
        </button>
        <h2>{t('availability.rules')}</h2>
        <Field label={t('availability.minNotice')} type="number" min={0} value={notice} onChange={(e) => setNotice(e.target.value)} />
        <Field label={t('availability.cutoff')} type="number" min={0} value={cutoff} onChange={(e) => setCutoff(e.target.value)} />
        <ErrorBox error={save.error} />
        <button type="submit" disabled={save.isPending}>
          {t('availability.publish')}
        </button>
        {saved && <Notice>{t('availability.published')}</Notice>}
      </form>
    </section>
  );
}

// Each status's next steps: the API action and the key of its button's words.
type ActionKey = 'checkIn' | 'noShow' | 'start' | 'complete';
const NEXT: Record<string, [string, ActionKey][]> = {
  booked: [
    ['check-in', 'checkIn'],
    ['no-show', 'noShow'],
  ],
  pending_payment: [],
  checked_in: [
    ['start', 'start'],
    ['no-show', 'noShow'],
  ],
  in_progress: [['complete', 'complete']],
};

export function Today() {
  const { t } = useTranslation('practice');
  const tz = browserTimeZone();
  const qc = useQueryClient();
  const today = dayKey(Date.now(), tz);
  const from = new Date(startOfDay(today, tz)).toISOString();
  const to = new Date(startOfDay(addDays(today, 8), tz)).toISOString();
  const q = useQuery({
    queryKey: ['appointments', 'practitioner', from],
    queryFn: () => getAll<Appointment>('/v1/appointments', { role: 'practitioner', from, to }),
    refetchInterval: 15_000,
  });
  const act = useMutation({
    mutationFn: ({ id, action }: { id: string; action: string }) => post(`/v1/appointments/${id}/${action}`, {}),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['appointments'] }),
  });
  return (
    <section>
      <h1>{t('today.title')}</h1>
      <p>
        <Link to="/practice/profile">{t('links.profile')}</Link> · <Link to="/practice/availability">{t('links.availability')}</Link>
      </p>
      <ErrorBox error={act.error} />
      <QueryState q={q} what={t('today.loading')}>
        {(data) => {
          const items = data.items ?? []; // the API lists them by start time
          const todays = items.filter((a) => dayKey(a.start!, tz) === today);
          const later = items.filter((a) => dayKey(a.start!, tz) !== today);
          const row = (a: Appointment, withDate: boolean) => (
            <li key={a.id} className="card" data-testid="schedule-item">
              <strong>{withDate ? dateTimeLabel(a.start, tz) : timeLabel(a.start!, tz)}</strong> <span className={`status s-${a.status}`}>{statusWords(a.status)}</span>
              <p>
                <strong data-testid="patient-name">{a.patient?.full_name || t('today.patient')}</strong>
                {a.patient?.age !== undefined && `, ${t('today.age', { age: a.patient.age })}`}
                {a.patient?.phone && (
                  <>
                    {' · '}
                    <a href={`tel:${a.patient.phone}`}>{a.patient.phone}</a>
                  </>
                )}
              </p>
              {a.reason && <p>{t('today.reason', { reason: a.reason })}</p>}
              <p className="muted">
                {a.mode === 'video' ? t('today.videoConsultation') : a.facility_name} · {money(a.fee)}
                {a.payment_state && a.payment_state !== 'free' ? ` · ${paymentWords(a.payment_state)}` : ''}
                {a.mode === 'video' && a.video_url && (
                  <>
                    {' · '}
                    <a href={a.video_url} target="_blank" rel="noopener noreferrer">
                      {t('today.joinVideo')}
                    </a>
                  </>
                )}
              </p>
              <div className="actions">
                {(NEXT[a.status ?? ''] ?? []).map(([action, key]) => (
                  <button key={action} type="button" className={action === 'no-show' ? 'secondary' : ''} disabled={act.isPending} onClick={() => act.mutate({ id: a.id!, action })}>
                    {t(`today.actions.${key}`)}
                  </button>
                ))}
              </div>
            </li>
          );
          return (
            <>
              {todays.length === 0 ? <p>{t('today.noneToday')}</p> : <ul className="cards">{todays.map((a) => row(a, false))}</ul>}
              <h2>{t('today.next7')}</h2>
              {later.length === 0 ? <p>{t('today.noneLater')}</p> : <ul className="cards">{later.map((a) => row(a, true))}</ul>}
            </>
          );
        }}
      </QueryState>
    </section>
  );
}
