import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, get, post, put } from '../api/client';
import { getAll } from '../api/paged';
import type { Appointment, Availability, Facility, Page, Practitioner } from '../api/types';
import { orgIdsFor } from '../auth/tokens';
import { useClaims } from '../auth/session';
import { ErrorBox, Field, Loading, Notice, QueryState, Select, label, money } from '../components/ui';
import { addDays, browserTimeZone, dateTimeLabel, dayKey, isValidTimeZone, startOfDay, timeLabel } from '../lib/time';
import { checkRule, checkRequired, validate } from '../lib/validation';
import { useSubmit } from './Auth';
import { paymentWords, statusWords } from '../lib/appointment';

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

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
  const qc = useQueryClient();
  const claims = useClaims();
  const facilities = useMyFacilities();
  const [f, setF] = useState({ display_name: '', specialties: '', qualifications: '', registration_number: '', languages: 'en', years: '0', bio: '', first_fee: '', follow_fee: '' });
  const [modes, setModes] = useState<string[]>(['in_person']);
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
      languages: (p.languages ?? []).join(', '),
      years: String(p.years_of_experience ?? 0),
      bio: p.bio ?? '',
      first_fee: rupees(p.fees?.first_visit),
      follow_fee: rupees(p.fees?.follow_up),
    });
    setModes((p.consultation_modes ?? []).map(String));
    setFacilityIds((p.facilities ?? []).map((x) => x.facility_id ?? '').filter(Boolean));
  }, [existing.data, filled]);
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement>) => setF({ ...f, [k]: e.target.value });
  const fee = (rupees: string) => (rupees.trim() ? { amount_minor: Math.round(Number(rupees) * 100), currency: 'INR' } : undefined);
  return (
    <section>
      <h1>Practitioner profile</h1>
      <p>
        <Link to="/practice/availability">Availability</Link> · <Link to="/practice/today">Today's schedule</Link>
      </p>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          s.run(
            validate({
              display_name: checkRequired(f.display_name, 'the name patients see'),
              specialties: list(f.specialties).length ? undefined : 'Enter at least one specialty.',
              facility_ids: facilityIds.length ? undefined : 'Choose at least one facility.',
            }),
            async () => {
              const p = await put<Practitioner>('/v1/practitioners/me', {
                display_name: f.display_name.trim(),
                specialties: list(f.specialties),
                qualifications: list(f.qualifications),
                registration_number: f.registration_number.trim(),
                languages: list(f.languages),
                years_of_experience: Number(f.years) || 0,
                bio: f.bio.trim(),
                consultation_modes: modes,
                fees: { first_visit: fee(f.first_fee), follow_up: fee(f.follow_fee) },
                facility_ids: facilityIds,
              });
              qc.setQueryData(['my-practitioner', claims?.sub], p.id ?? null);
              setSaved(p);
            },
          );
        }}
      >
        <ErrorBox error={s.error} shownFields={['display_name', 'specialties', 'facility_ids']} />
        <Field label="Name shown to patients" value={f.display_name} onChange={set('display_name')} error={s.fields.display_name} />
        <Field label="Specialties (comma-separated)" value={f.specialties} onChange={set('specialties')} error={s.fields.specialties} />
        <Field label="Qualifications (comma-separated)" value={f.qualifications} onChange={set('qualifications')} />
        <Field label="Medical registration number" value={f.registration_number} onChange={set('registration_number')} />
        <Field label="Languages (codes, comma-separated)" value={f.languages} onChange={set('languages')} />
        <Field label="Years of experience" type="number" min={0} value={f.years} onChange={set('years')} />
        <Field label="About you" value={f.bio} onChange={set('bio')} />
        <Field label="First-visit fee (₹, empty for free)" type="number" min={0} value={f.first_fee} onChange={set('first_fee')} />
        <Field label="Follow-up fee (₹)" type="number" min={0} value={f.follow_fee} onChange={set('follow_fee')} />
        <fieldset>
          <legend>Consultations</legend>
          {['in_person', 'video'].map((m) => (
            <label key={m} className="check">
              <input type="checkbox" checked={modes.includes(m)} onChange={(e) => setModes(e.target.checked ? [...modes, m] : modes.filter((x) => x !== m))} /> {label(m)}
            </label>
          ))}
        </fieldset>
        <fieldset aria-describedby={s.fields.facility_ids ? 'fac-err' : undefined}>
          <legend>Where you consult</legend>
          {facilities.isPending && <Loading what="Loading facilities" />}
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
          Save profile
        </button>
      </form>
      {saved && (
        <Notice>
          Saved. Patients find you at <Link to={`/practitioners/${saved.id}`}>your public page</Link>. Next: <Link to="/practice/availability">publish your hours</Link>.
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
  const me = useMyPractitionerId();
  const facilities = useMyFacilities();
  if (me.loading) return <Loading what="Finding your practitioner profile" />;
  if (!me.id)
    return (
      <section>
        <h1>Availability</h1>
        <p>
          Create your <Link to="/practice/profile">practitioner profile</Link> first.
        </p>
      </section>
    );
  return <AvailabilityForm pid={me.id} facilities={facilities.data ?? []} />;
}

function AvailabilityForm({ pid, facilities }: { pid: string; facilities: Facility[] }) {
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
    setOff((a.time_off ?? []).map((t) => ({ start_date: t.start_date ?? '', end_date: t.end_date ?? '', note: t.note ?? '' })));
    if (a.min_notice_minutes !== undefined) setNotice(String(a.min_notice_minutes));
    if (a.cancellation_cutoff_minutes !== undefined) setCutoff(String(a.cancellation_cutoff_minutes));
  }, [current.data, facilities, loaded]);
  const save = useMutation({
    mutationFn: () =>
      put(`/v1/practitioners/${pid}/availability`, {
        timezone: tz,
        rules: rules.map((r) => ({ ...r, slot_minutes: Number(r.slot_minutes) })),
        extra_hours: extra.map((r) => ({ ...r, slot_minutes: Number(r.slot_minutes) })),
        time_off: off.map((t) => ({ start_date: t.start_date, end_date: t.end_date || t.start_date, ...(t.note ? { note: t.note } : {}) })),
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
  if (current.isPending) return <Loading what="Loading your hours" />;
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
      <h1>Availability</h1>
      <ErrorBox error={current.error} />
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          const errs: Record<string, string> = {};
          if (!isValidTimeZone(tz)) errs.timezone = 'Use an IANA time zone such as Asia/Kolkata.';
          rules.forEach((r, i) => {
            const m = checkRule({ ...r, weekday: 0, slot_minutes: Number(r.slot_minutes) });
            if (m) errs[`rule${i}`] = m;
          });
          extra.forEach((r, i) => {
            const m = !r.date ? 'Choose a date.' : checkRule({ ...r, weekday: 0, slot_minutes: Number(r.slot_minutes) });
            if (m) errs[`extra${i}`] = m;
          });
          off.forEach((t, i) => {
            if (!t.start_date) errs[`off${i}`] = 'Choose the first day off.';
            else if (t.end_date && t.end_date < t.start_date) errs[`off${i}`] = 'The last day is before the first.';
          });
          setErrors(errs);
          if (!Object.keys(errs).length) save.mutate();
        }}
      >
        <Field label="Time zone of these hours" value={tz} onChange={(e) => setTz(e.target.value)} error={errors.timezone} />
        <h2>Weekly hours</h2>
        {rules.length === 0 && <p className="muted">No weekly hours yet.</p>}
        {rules.map((r, i) => {
          const upd = (patch: Partial<RuleRow>) => setRules(rules.map((x, j) => (j === i ? { ...x, ...patch } : x)));
          return (
            <fieldset key={i} className="row">
              <legend>Weekly hours {i + 1}</legend>
              <Select label="Day" value={r.weekday} onChange={(e) => upd({ weekday: e.target.value })}>
                {WEEKDAYS.map((d) => (
                  <option key={d} value={d}>
                    {d[0].toUpperCase() + d.slice(1)}
                  </option>
                ))}
              </Select>
              {facilitySelect(r.facility_id, (v) => upd({ facility_id: v }), 'Facility')}
              <Select label="Mode" value={r.mode} onChange={(e) => upd({ mode: e.target.value })}>
                <option value="in_person">In person</option>
                <option value="video">Video</option>
              </Select>
              <Field label="From" type="time" value={r.start_local} onChange={(e) => upd({ start_local: e.target.value })} />
              <Field label="To" type="time" value={r.end_local} onChange={(e) => upd({ end_local: e.target.value })} />
              <Field label="Slot minutes" type="number" min={5} max={240} value={r.slot_minutes} onChange={(e) => upd({ slot_minutes: Number(e.target.value) })} />
              {rowErr(`rule${i}`) && <p className="field-error">{rowErr(`rule${i}`)}</p>}
              <button type="button" className="link" onClick={() => setRules(rules.filter((_, j) => j !== i))}>
                Remove
              </button>
            </fieldset>
          );
        })}
        <button
          type="button"
          className="secondary"
          onClick={() => setRules([...rules, { weekday: 'monday', facility_id: defFacility, mode: 'in_person', start_local: '09:00', end_local: '13:00', slot_minutes: 15 }])}
        >
          Add weekly hours
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
          Add every day, all day
        </button>
        <h2>Extra hours on a date</h2>
        {extra.map((r, i) => {
          const upd = (patch: Partial<ExtraRow>) => setExtra(extra.map((x, j) => (j === i ? { ...x, ...patch } : x)));
          return (
            <fieldset key={i} className="row">
              <legend>Extra hours {i + 1}</legend>
              <Field label="Date" type="date" value={r.date} onChange={(e) => upd({ date: e.target.value })} />
              {facilitySelect(r.facility_id, (v) => upd({ facility_id: v }), 'Facility')}
              <Field label="From" type="time" value={r.start_local} onChange={(e) => upd({ start_local: e.target.value })} />
              <Field label="To" type="time" value={r.end_local} onChange={(e) => upd({ end_local: e.target.value })} />
              <Field label="Slot minutes" type="number" value={r.slot_minutes} onChange={(e) => upd({ slot_minutes: Number(e.target.value) })} />
              {rowErr(`extra${i}`) && <p className="field-error">{rowErr(`extra${i}`)}</p>}
              <button type="button" className="link" onClick={() => setExtra(extra.filter((_, j) => j !== i))}>
                Remove
              </button>
            </fieldset>
          );
        })}
        <button type="button" className="secondary" onClick={() => setExtra([...extra, { date: '', facility_id: defFacility, mode: 'in_person', start_local: '10:00', end_local: '12:00', slot_minutes: 15 }])}>
          Add extra hours
        </button>
        <h2>Time off</h2>
        {off.map((t, i) => {
          const upd = (patch: Partial<OffRow>) => setOff(off.map((x, j) => (j === i ? { ...x, ...patch } : x)));
          return (
            <fieldset key={i} className="row">
              <legend>Time off {i + 1}</legend>
              <Field label="First day" type="date" value={t.start_date} onChange={(e) => upd({ start_date: e.target.value })} />
              <Field label="Last day" type="date" value={t.end_date} onChange={(e) => upd({ end_date: e.target.value })} />
              <Field label="Note (staff only)" value={t.note} onChange={(e) => upd({ note: e.target.value })} />
              {rowErr(`off${i}`) && <p className="field-error">{rowErr(`off${i}`)}</p>}
              <button type="button" className="link" onClick={() => setOff(off.filter((_, j) => j !== i))}>
                Remove
              </button>
            </fieldset>
          );
        })}
        <button type="button" className="secondary" onClick={() => setOff([...off, { start_date: '', end_date: '', note: '' }])}>
          Add time off
        </button>
        <h2>Booking rules</h2>
        <Field label="Minimum notice (minutes)" type="number" min={0} value={notice} onChange={(e) => setNotice(e.target.value)} />
        <Field label="Patients may cancel until (minutes before)" type="number" min={0} value={cutoff} onChange={(e) => setCutoff(e.target.value)} />
        <ErrorBox error={save.error} />
        <button type="submit" disabled={save.isPending}>
          Publish availability
        </button>
        {saved && <Notice>Published. Patients see the new free times now.</Notice>}
      </form>
    </section>
  );
}

const NEXT: Record<string, [string, string][]> = {
  booked: [
    ['check-in', 'Check in'],
    ['no-show', 'No-show'],
  ],
  pending_payment: [],
  checked_in: [
    ['start', 'Start'],
    ['no-show', 'No-show'],
  ],
  in_progress: [['complete', 'Complete']],
};

export function Today() {
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
      <h1>Today's schedule</h1>
      <p>
        <Link to="/practice/profile">Profile</Link> · <Link to="/practice/availability">Availability</Link>
      </p>
      <ErrorBox error={act.error} />
      <QueryState q={q} what="Loading your schedule">
        {(data) => {
          const items = data.items ?? []; // the API lists them by start time
          const todays = items.filter((a) => dayKey(a.start!, tz) === today);
          const later = items.filter((a) => dayKey(a.start!, tz) !== today);
          const row = (a: Appointment, withDate: boolean) => (
            <li key={a.id} className="card" data-testid="schedule-item">
              <strong>{withDate ? dateTimeLabel(a.start, tz) : timeLabel(a.start!, tz)}</strong> <span className={`status s-${a.status}`}>{statusWords(a.status)}</span>
              <p>
                <strong data-testid="patient-name">{a.patient?.full_name || 'Patient'}</strong>
                {a.patient?.age !== undefined && `, ${a.patient.age} years`}
                {a.patient?.phone && (
                  <>
                    {' · '}
                    <a href={`tel:${a.patient.phone}`}>{a.patient.phone}</a>
                  </>
                )}
              </p>
              {a.reason && <p>Reason: {a.reason}</p>}
              <p className="muted">
                {a.mode === 'video' ? 'Video consultation' : a.facility_name} · {money(a.fee)}
                {a.payment_state && a.payment_state !== 'free' ? ` · ${paymentWords(a.payment_state)}` : ''}
                {a.mode === 'video' && a.video_url && (
                  <>
                    {' · '}
                    <a href={a.video_url} target="_blank" rel="noopener noreferrer">
                      Join the video call
                    </a>
                  </>
                )}
              </p>
              <div className="actions">
                {(NEXT[a.status ?? ''] ?? []).map(([action, text]) => (
                  <button key={action} type="button" className={action === 'no-show' ? 'secondary' : ''} disabled={act.isPending} onClick={() => act.mutate({ id: a.id!, action })}>
                    {text}
                  </button>
                ))}
              </div>
            </li>
          );
          return (
            <>
              {todays.length === 0 ? <p>No appointments today.</p> : <ul className="cards">{todays.map((a) => row(a, false))}</ul>}
              <h2>Next 7 days</h2>
              {later.length === 0 ? <p>None.</p> : <ul className="cards">{later.map((a) => row(a, true))}</ul>}
            </>
          );
        }}
      </QueryState>
    </section>
  );
}
