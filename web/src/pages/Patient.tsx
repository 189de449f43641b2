import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, get, newIdempotencyKey, post } from '../api/client';
import { LoadMore, getAll, usePaged } from '../api/paged';
import type { Appointment, Availability, Notification, Payment, Practitioner, Slot } from '../api/types';
import { useClaims } from '../auth/session';
import { ErrorBox, Field, Loading, Notice, QueryState, Select, label, money } from '../components/ui';
import { addressLine, dayWords, googleCalendarUrl, icsFor, initials, languageNames, modeWords, paymentWords, placeLine, statusWords, titleCase } from '../lib/appointment';
import { addDays, browserTimeZone, dateTimeLabel, dayKey, dayLabel, groupSlotsByDay, startOfDay, timeLabel, weekOf } from '../lib/time';

// ------------------------------------------------------------------ search
export function Search() {
  const [params, setParams] = useSearchParams();
  const [form, setForm] = useState({
    q: params.get('q') ?? '',
    specialty: params.get('specialty') ?? '',
    city: params.get('city') ?? '',
    language: params.get('language') ?? '',
    mode: params.get('mode') ?? '',
    available_on: params.get('available_on') ?? '',
    sort: params.get('sort') ?? '',
  });
  const query = Object.fromEntries(params.entries());
  const q = usePaged<Practitioner>(['search', query], '/v1/practitioners', { limit: 20, ...query });
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm({ ...form, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setParams(Object.fromEntries(Object.entries(form).filter(([, v]) => v.trim() !== '')));
  };
  return (
    <section>
      <h1>Find a doctor</h1>
      <form className="filters" onSubmit={submit} role="search" aria-label="Search practitioners">
        <Field label="Name, specialty or condition" type="search" value={form.q} onChange={set('q')} />
        <Field label="Specialty" value={form.specialty} onChange={set('specialty')} />
        <Field label="City" value={form.city} onChange={set('city')} />
        <Field label="Language" placeholder="Hindi, English, Kannada…" value={form.language} onChange={set('language')} />
        <Select label="Consultation" value={form.mode} onChange={set('mode')}>
          <option value="">Any</option>
          <option value="in_person">In person</option>
          <option value="video">Video</option>
        </Select>
        <Field label="Free on" type="date" value={form.available_on} onChange={set('available_on')} />
        <Select label="Sort by" value={form.sort} onChange={set('sort')}>
          <option value="">Best match</option>
          <option value="soonest">Soonest available</option>
          <option value="fee">Lowest fee</option>
          <option value="experience">Most experience</option>
        </Select>
        <button type="submit">Search</button>
      </form>
      <QueryState q={q} what="Searching">
        {(data) =>
          (data.items ?? []).length === 0 ? (
            <p>No practitioner matches. Try fewer filters.</p>
          ) : (
            <ul className="cards" aria-label="Practitioners">
              {(data.items ?? []).map((p) => (
                <li key={p.id} className="card practitioner-card" data-testid="practitioner-card">
                  <span className="avatar" aria-hidden="true">
                    {initials(p.display_name)}
                  </span>
                  <div>
                    <h2>
                      <Link to={`/practitioners/${p.id}`}>{p.display_name}</Link>
                    </h2>
                    <p>
                      {(p.specialties ?? []).map(titleCase).join(', ')}
                      {p.years_of_experience ? ` · ${p.years_of_experience} years of experience` : ''}
                    </p>
                    <p className="muted">
                      {(p.facilities ?? []).map((f) => `${f.facility_name}, ${f.address?.city ?? ''}`).join(' · ')}
                    </p>
                    <p className="muted">
                      Speaks {languageNames(p.languages)} · {(p.consultation_modes ?? []).map(modeWords).join(', ')}
                    </p>
                    <p>
                      <strong>First visit {money(p.fees?.first_visit)}</strong>
                      {' · '}
                      <span data-testid="next-free">{p.next_free_day ? `Next free ${dayWords(p.next_free_day)}` : 'No free times published'}</span>
                    </p>
                  </div>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
      <LoadMore q={q} what="more practitioners" />
    </section>
  );
}

// ------------------------------------------------------------------ week of slots
/** Free slots of one practitioner for a week, grouped by day in the viewer's time zone. */
// Times shown per day before "Show more".
const SLOTS_SHOWN = 8;

export function WeekSlots({
  practitionerId,
  tz,
  onPick,
  picked,
}: {
  practitionerId: string;
  tz: string;
  onPick: (s: Slot) => void;
  picked?: Slot | null;
}) {
  const today = dayKey(Date.now(), tz);
  const [start, setStart] = useState(today);
  const days = weekOf(start);
  const from = new Date(startOfDay(days[0], tz)).toISOString();
  const to = new Date(startOfDay(addDays(days[6], 1), tz)).toISOString();
  const q = useQuery({
    queryKey: ['slots', practitionerId, from, to],
    // A week of a busy practitioner can pass one page: read every page of the window.
    queryFn: async () => ({ items: (await getAll<Slot>(`/v1/practitioners/${practitionerId}/slots`, { from, to })).items }),
  });
  const grouped = useMemo(() => groupSlotsByDay(q.data?.items ?? [], tz, days), [q.data, tz, days.join()]);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const isPicked = (s: Slot) => picked?.start === s.start && picked?.facility_id === s.facility_id && picked?.mode === s.mode;
  // Arrow keys move within the grid: up/down within a day, left/right to the same row of the
  // next day with free times; Home/End to the day's first and last time.
  const onGridKey = (e: React.KeyboardEvent<HTMLDivElement>) => {
    const target = e.target as HTMLElement;
    if (!target.matches('button.slot')) return;
    const cols = Array.from(e.currentTarget.querySelectorAll<HTMLElement>('section.day')).map((d) =>
      Array.from(d.querySelectorAll<HTMLButtonElement>('button.slot')),
    );
    const c = cols.findIndex((col) => col.includes(target as HTMLButtonElement));
    if (c < 0) return;
    const r = cols[c].indexOf(target as HTMLButtonElement);
    let next: HTMLButtonElement | undefined;
    if (e.key === 'ArrowDown') next = cols[c][r + 1];
    else if (e.key === 'ArrowUp') next = cols[c][r - 1];
    else if (e.key === 'Home') next = cols[c][0];
    else if (e.key === 'End') next = cols[c][cols[c].length - 1];
    else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      const step = e.key === 'ArrowRight' ? 1 : -1;
      for (let i = c + step; i >= 0 && i < cols.length && !next; i += step) {
        if (cols[i].length) next = cols[i][Math.min(r, cols[i].length - 1)];
      }
    } else return;
    e.preventDefault();
    next?.focus();
  };
  return (
    <div>
      <div className="week-nav">
        <button type="button" className="secondary" disabled={start <= today} onClick={() => setStart(addDays(start, -7))}>
          ← Earlier
        </button>
        <span aria-live="polite">
          {dayLabel(days[0])} – {dayLabel(days[6])}
        </span>
        <button type="button" className="secondary" onClick={() => setStart(addDays(start, 7))}>
          Later →
        </button>
      </div>
      {q.isPending && <Loading what="Loading free times" />}
      {q.error ? <ErrorBox error={q.error} /> : null}
      {q.data && (
        <div className="week" role="group" aria-label="Free times this week (arrow keys move between times)" onKeyDown={onGridKey}>
          {days.map((d) => {
            const all = grouped.get(d) ?? [];
            const open = expanded.has(d) || all.length <= SLOTS_SHOWN + 1 || all.slice(SLOTS_SHOWN).some(isPicked);
            const shown = open ? all : all.slice(0, SLOTS_SHOWN);
            return (
              <section key={d} className="day" aria-label={dayLabel(d)}>
                <h3>{dayLabel(d)}</h3>
                {all.length === 0 ? (
                  <p className="muted">No free times</p>
                ) : (
                  <>
                    <ul>
                      {shown.map((s) => (
                        <li key={`${s.start}-${s.facility_id}-${s.mode}`}>
                          <button
                            type="button"
                            className={`slot${s.mode === 'video' ? ' video' : ''}${isPicked(s) ? ' picked' : ''}`}
                            aria-pressed={isPicked(s)}
                            aria-label={`${dayLabel(d)} ${timeLabel(s.start!, tz)} ${modeWords(s.mode)}`}
                            onClick={() => onPick(s)}
                          >
                            {timeLabel(s.start!, tz)}
                            {s.mode === 'video' && <span className="slot-mode"> · video</span>}
                          </button>
                        </li>
                      ))}
                    </ul>
                    {!open && (
                      <button type="button" className="link" onClick={() => setExpanded(new Set(expanded).add(d))}>
                        Show {all.length - SLOTS_SHOWN} more
                      </button>
                    )}
                  </>
                )}
              </section>
            );
          })}
        </div>
      )}
    </div>
  );
}

// ------------------------------------------------------------------ practitioner + book
export function PractitionerPage() {
  const { id = '' } = useParams();
  const claims = useClaims();
  const navigate = useNavigate();
  const [tz, setTz] = useState(browserTimeZone());
  const [picked, setPicked] = useState<Slot | null>(null);
  const [reason, setReason] = useState('');
  const [key] = useState(newIdempotencyKey);
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['practitioner', id], queryFn: () => get<Practitioner>(`/v1/practitioners/${id}`) });
  const policy = useQuery({ queryKey: ['availability', id], queryFn: () => get<Availability>(`/v1/practitioners/${id}/availability`) });
  // The fee depends on whether the patient has seen this practitioner before (as the server
  // decides it: an appointment booked, under way or completed).
  const history = useQuery({
    queryKey: ['appointments', 'patient', 'all'],
    queryFn: () => getAll<Appointment>('/v1/appointments', { role: 'patient' }),
    enabled: !!claims && !!picked,
  });
  const seenBefore = (history.data?.items ?? []).some(
    (a) => a.practitioner_id === id && ['booked', 'checked_in', 'in_progress', 'completed'].includes(a.status ?? ''),
  );
  // Picking a time brings the booking panel into view and moves focus to it (on a phone it is
  // otherwise far below the grid).
  const panelHeading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (!picked || !panelHeading.current) return;
    panelHeading.current.scrollIntoView({ block: 'start', behavior: 'auto' });
    panelHeading.current.focus({ preventScroll: true });
  }, [picked]);
  const book = useMutation({
    mutationFn: () =>
      post<Appointment>(
        '/v1/appointments',
        { practitioner_id: id, facility_id: picked!.facility_id, start: picked!.start, mode: picked!.mode, ...(reason.trim() ? { reason: reason.trim() } : {}) },
        { idempotencyKey: `${key}-${picked!.start}-${picked!.facility_id}` },
      ),
    onSuccess: (a) => navigate(`/appointments/${a.id}?booked=1`),
    // A time someone else just took leaves the grid.
    onError: (e) => {
      if (e instanceof ApiError && e.status === 409) qc.invalidateQueries({ queryKey: ['slots', id] });
    },
  });
  return (
    <section>
      <QueryState q={q} what="Loading the practitioner">
        {(p) => (
          <>
            <h1>{p.display_name}</h1>
            <p>{(p.specialties ?? []).map(titleCase).join(', ')}</p>
            {p.bio && <p>{p.bio}</p>}
            {claims && (
              <p>
                <Link to={`/consultations?practitioner=${encodeURIComponent(id)}`}>Ask {p.display_name} privately</Link>
              </p>
            )}
            <p className="muted">
              {p.years_of_experience ? `${p.years_of_experience} years of experience · ` : ''}Languages: {languageNames(p.languages)} · First visit{' '}
              {money(p.fees?.first_visit)} · Follow-up {money(p.fees?.follow_up)}
            </p>
            <h2>Free times</h2>
            <Select label="Times shown in" value={tz} onChange={(e) => setTz(e.target.value)}>
              {Array.from(new Set([browserTimeZone(), 'Asia/Kolkata', 'UTC', ...(p.facilities ?? []).map((f) => f.timezone ?? 'UTC')])).map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </Select>
            <WeekSlots practitionerId={id} tz={tz} onPick={setPicked} picked={picked} />
            {picked && (() => {
              const facility = (p.facilities ?? []).find((f) => f.facility_id === picked.facility_id);
              const first = !seenBefore;
              const fee = first ? p.fees?.first_visit : p.fees?.follow_up;
              const cutoff = policy.data?.cancellation_cutoff_minutes ?? 240;
              const cancelUntil = Date.parse(picked.start!) - cutoff * 60_000;
              return (
                <form
                  className="panel booking-panel"
                  onSubmit={(e) => {
                    e.preventDefault();
                    if (!claims) navigate(`/signin?next=/practitioners/${id}`);
                    else book.mutate();
                  }}
                  aria-labelledby="book-heading"
                >
                  <h2 id="book-heading" ref={panelHeading} tabIndex={-1}>
                    Book {dateTimeLabel(picked.start, tz)}
                  </h2>
                  <dl className="facts">
                    <dt>With</dt>
                    <dd>
                      {p.display_name}
                      {p.specialties?.length ? `, ${titleCase(p.specialties[0])}` : ''}
                    </dd>
                    <dt>Where</dt>
                    <dd>
                      {picked.mode === 'video' ? (
                        'Video consultation (the link is on your appointment once booked)'
                      ) : (
                        <>
                          {facility?.facility_name ?? 'The clinic'}
                          {facility?.address ? `, ${addressLine(facility.address)}` : ''}
                        </>
                      )}
                    </dd>
                    <dt>Fee</dt>
                    <dd data-testid="booking-fee">
                      {claims && history.isPending ? (
                        'Working out your fee…'
                      ) : claims ? (
                        <>
                          <strong>{money(fee)}</strong> {first ? '(first visit)' : `(follow-up: you have seen ${p.display_name} before)`}
                        </>
                      ) : (
                        <>
                          {money(p.fees?.first_visit)} for a first visit, {money(p.fees?.follow_up)} for a follow-up
                        </>
                      )}
                      {fee && Number(fee.amount_minor) > 0 && <span className="muted"> · paid online after booking; the time is held for you meanwhile</span>}
                    </dd>
                    <dt>Cancelling</dt>
                    <dd data-testid="booking-cutoff">
                      {cancelUntil > Date.now()
                        ? `Free to cancel or move online until ${dateTimeLabel(new Date(cancelUntil).toISOString(), tz)}`
                        : `This time is less than ${Math.round(cutoff / 60)} hours away: once booked it cannot be cancelled or moved online; call the clinic instead.`}
                    </dd>
                  </dl>
                  <Field label="Reason for the visit (optional)" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
                  <ErrorBox error={book.error} />
                  <button type="submit" disabled={book.isPending}>
                    {claims ? (book.isPending ? 'Booking…' : `Book for ${money(fee)}`) : 'Sign in to book'}
                  </button>
                </form>
              );
            })()}
          </>
        )}
      </QueryState>
    </section>
  );
}

// ------------------------------------------------------------------ appointments
const upcomingStatuses = new Set(['pending_payment', 'booked', 'checked_in', 'in_progress']);

export function MyAppointments() {
  const tz = browserTimeZone();
  const [tab, setTab] = useState<'upcoming' | 'past'>('upcoming');
  // Upcoming: from a few hours ago (a visit under way), soonest first; past (finished,
  // cancelled or gone by): latest first.
  const [since] = useState(() => new Date(Date.now() - 6 * 3600_000).toISOString());
  const q = usePaged<Appointment>(
    ['appointments', 'patient', tab],
    '/v1/appointments',
    tab === 'upcoming' ? { role: 'patient', from: since, limit: 30 } : { role: 'patient', newest_first: true, limit: 30 },
  );
  const now = Date.now();
  const isUpcoming = (a: Appointment) => upcomingStatuses.has(a.status ?? '') && Date.parse(a.end ?? '') > now;
  const shown = (q.data?.items ?? []).filter((a) => (tab === 'upcoming') === isUpcoming(a));
  // A page may hold nothing for this tab (e.g. only future bookings, newest first): read on.
  const { data, hasNextPage, isFetchingNextPage, fetchNextPage } = q;
  useEffect(() => {
    if (data && shown.length === 0 && hasNextPage && !isFetchingNextPage) fetchNextPage();
  });
  return (
    <section>
      <h1>My appointments</h1>
      <div role="tablist" aria-label="Which appointments">
        {(['upcoming', 'past'] as const).map((t) => (
          <button key={t} role="tab" type="button" aria-selected={tab === t} className={tab === t ? 'tab active' : 'tab'} onClick={() => setTab(t)}>
            {t === 'upcoming' ? 'Upcoming' : 'Past'}
          </button>
        ))}
      </div>
      <QueryState q={q} what="Loading appointments">
        {() => {
          const items = shown;
          return items.length === 0 ? (
            hasNextPage ? (
              <Loading what="Looking further back" />
            ) : (
              <p>
                No {tab} appointments. <Link to="/search">Find a doctor</Link>
              </p>
            )
          ) : (
            <ul className="cards">
              {items.map((a) => (
                <li key={a.id} className="card" data-testid="appointment-card">
                  <Link to={`/appointments/${a.id}`}>{dateTimeLabel(a.start, tz)}</Link> <span className={`status s-${a.status}`}>{statusWords(a.status)}</span>
                  <p>
                    <strong>{a.practitioner_name || 'Practitioner'}</strong>
                    {a.practitioner_specialty ? ` · ${titleCase(a.practitioner_specialty)}` : ''}
                  </p>
                  <p className="muted">
                    {a.mode === 'video' ? 'Video consultation' : placeLine(a)} · {money(a.fee)}
                    {a.payment_state && a.payment_state !== 'free' ? ` · ${paymentWords(a.payment_state)}` : ''}
                  </p>
                </li>
              ))}
            </ul>
          );
        }}
      </QueryState>
      <LoadMore q={q} what={tab === 'upcoming' ? 'later appointments' : 'earlier appointments'} />
    </section>
  );
}

export function AppointmentPage() {
  const { id = '' } = useParams();
  const tz = browserTimeZone();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [payKey] = useState(newIdempotencyKey);
  const [reason, setReason] = useState('');
  const [moving, setMoving] = useState(false);
  const [newSlot, setNewSlot] = useState<Slot | null>(null);
  const [params] = useSearchParams();
  const justBooked = params.get('booked') === '1';
  const [confirmCancel, setConfirmCancel] = useState(false);
  const q = useQuery({ queryKey: ['appointments', id], queryFn: () => get<Appointment>(`/v1/appointments/${id}`) });
  const refresh = () => qc.invalidateQueries({ queryKey: ['appointments'] });
  const pay = useMutation({
    mutationFn: () => post<{ id: string; checkout_url?: string }>('/v1/payments', { appointment_id: id }, { idempotencyKey: payKey }),
    onSuccess: (r) => {
      // The gateway's hosted checkout, in this tab; it sends the patient back to the payment
      // page (its callback_url), which confirms the payment and says they are booked.
      if (r.checkout_url) {
        const back = `${window.location.origin}/payments/${r.id}?returned=1`;
        const sep = r.checkout_url.includes('?') ? '&' : '?';
        window.location.assign(`${r.checkout_url}${sep}callback_url=${encodeURIComponent(back)}`);
      } else navigate(`/payments/${r.id}`);
    },
  });
  const cancel = useMutation({
    mutationFn: () => post(`/v1/appointments/${id}/cancel`, reason.trim() ? { reason: reason.trim() } : {}),
    onSuccess: () => {
      setConfirmCancel(false);
      refresh();
    },
  });
  const reschedule = useMutation({
    mutationFn: () =>
      post(`/v1/appointments/${id}/reschedule`, { start: newSlot!.start, facility_id: newSlot!.facility_id }, { idempotencyKey: newIdempotencyKey() }),
    onSuccess: () => {
      setMoving(false);
      setNewSlot(null);
      refresh();
    },
  });
  return (
    <section>
      <QueryState q={q} what="Loading the appointment">
        {(a) => {
          const open = upcomingStatuses.has(a.status ?? '') && a.status !== 'in_progress';
          const canCancelOnline = !a.cancellable_until || Date.parse(a.cancellable_until) > Date.now() || a.status === 'pending_payment';
          const appUrl = `${window.location.origin}/appointments/${a.id}`;
          return (
            <>
              {justBooked && (a.status === 'booked' || a.status === 'pending_payment') && (
                <div className="notice success" role="status" data-testid="booked-confirmation">
                  <h2>{a.status === 'booked' ? "You're booked" : 'Almost there: pay to confirm'}</h2>
                  <p>
                    {a.practitioner_name} on {dateTimeLabel(a.start, tz)}
                    {a.mode === 'video' ? ' by video' : a.facility_name ? ` at ${a.facility_name}` : ''}. We sent the details to your email.
                  </p>
                </div>
              )}
              <h1>
                {a.practitioner_name ? `${a.practitioner_name}, ` : 'Appointment, '}
                {dateTimeLabel(a.start, tz)}
              </h1>
              <p>
                Status: <strong data-testid="appointment-status">{statusWords(a.status)}</strong>
              </p>
              <dl className="facts" data-testid="appointment-facts">
                <dt>With</dt>
                <dd>
                  {a.practitioner_name || 'Your practitioner'}
                  {a.practitioner_specialty ? `, ${titleCase(a.practitioner_specialty)}` : ''}
                </dd>
                <dt>When</dt>
                <dd>
                  {dateTimeLabel(a.start, tz)} – {timeLabel(a.end!, tz)} <span className="muted">({tz === a.timezone ? 'local time' : `your time; the clinic's is ${a.timezone}`})</span>
                </dd>
                <dt>Where</dt>
                <dd>
                  {a.mode === 'video' ? (
                    <>
                      Video consultation
                      {a.video_url && (upcomingStatuses.has(a.status ?? '') || a.status === 'checked_in') && (
                        <>
                          {' · '}
                          <a href={a.video_url} target="_blank" rel="noopener noreferrer">
                            Join the video call
                          </a>
                        </>
                      )}
                    </>
                  ) : (
                    <>
                      {a.facility_name}
                      {a.organization_name && a.organization_name !== a.facility_name ? ` (${a.organization_name})` : ''}
                      <br />
                      {addressLine(a.facility_address)}
                      {a.map_url && (
                        <>
                          {' · '}
                          <a href={a.map_url} target="_blank" rel="noopener noreferrer">
                            Directions
                          </a>
                        </>
                      )}
                    </>
                  )}
                </dd>
                {a.facility_phone && (
                  <>
                    <dt>Phone</dt>
                    <dd>
                      <a href={`tel:${a.facility_phone}`}>{a.facility_phone}</a>
                    </dd>
                  </>
                )}
                <dt>Fee</dt>
                <dd data-testid="appointment-fee">
                  {money(a.fee)} {a.fee && Number(a.fee.amount_minor) > 0 ? (a.is_first_visit ? '(first visit)' : '(follow-up)') : ''}
                  {a.payment_state && a.payment_state !== 'free' ? ` · ${paymentWords(a.payment_state)}` : ''}
                </dd>
                {open && a.cancellable_until && (
                  <>
                    <dt>Cancelling</dt>
                    <dd>
                      {canCancelOnline
                        ? `Free to cancel or move online until ${dateTimeLabel(a.cancellable_until, tz)}`
                        : `It is too late to cancel or move it online; call ${a.facility_name || 'the clinic'}${a.facility_phone ? ` on ${a.facility_phone}` : ''}.`}
                    </dd>
                  </>
                )}
              </dl>
              {open && a.status !== 'pending_payment' && (
                <p className="actions">
                  <a
                    className="button secondary"
                    href={`data:text/calendar;charset=utf-8,${encodeURIComponent(icsFor(a, appUrl))}`}
                    download={`appointment-${(a.start ?? '').slice(0, 10)}.ics`}
                    data-testid="ics-link"
                  >
                    Add to calendar (.ics)
                  </a>{' '}
                  <a className="button secondary" href={googleCalendarUrl(a, appUrl)} target="_blank" rel="noopener noreferrer">
                    Add to Google Calendar
                  </a>
                </p>
              )}
              {a.status === 'pending_payment' && (
                <div className="panel">
                  <p>
                    Pay {money(a.fee)} to confirm. The time is held for you until {dateTimeLabel(a.hold_expires_at, tz)}.
                  </p>
                  <ErrorBox error={pay.error} />
                  <button type="button" onClick={() => pay.mutate()} disabled={pay.isPending}>
                    Pay {money(a.fee)}
                  </button>
                </div>
              )}
              {a.payment_id && (
                <p>
                  <Link to={`/payments/${a.payment_id}`}>Payment and invoice</Link>
                </p>
              )}
              {open && (
                <div className="stack">
                  <form
                    className="panel"
                    aria-label="Cancel the appointment"
                    onSubmit={(e) => {
                      e.preventDefault();
                      if (!confirmCancel) setConfirmCancel(true);
                      else cancel.mutate();
                    }}
                  >
                    <h2>Cancel</h2>
                    <Field label="Reason (optional)" value={reason} onChange={(e) => setReason(e.target.value)} />
                    <ErrorBox error={cancel.error} />
                    {confirmCancel && (
                      <p role="alert" data-testid="cancel-confirm">
                        Cancel your appointment with {a.practitioner_name || 'the practitioner'} on {dateTimeLabel(a.start, tz)}?
                        {a.payment_state === 'paid' ? ' The refund goes back to how you paid.' : ''}
                      </p>
                    )}
                    <button type="submit" className="danger" disabled={cancel.isPending}>
                      {confirmCancel ? 'Yes, cancel it' : 'Cancel appointment'}
                    </button>
                    {confirmCancel && (
                      <button type="button" className="secondary" onClick={() => setConfirmCancel(false)}>
                        Keep it
                      </button>
                    )}
                  </form>
                  {a.status !== 'pending_payment' && (
                    <div className="panel">
                      <h2>Reschedule</h2>
                      {!moving ? (
                        <button type="button" className="secondary" onClick={() => setMoving(true)}>
                          Choose another time
                        </button>
                      ) : (
                        <>
                          <WeekSlots practitionerId={a.practitioner_id!} tz={tz} onPick={setNewSlot} picked={newSlot} />
                          <ErrorBox error={reschedule.error} />
                          <button type="button" disabled={!newSlot || reschedule.isPending} onClick={() => reschedule.mutate()}>
                            {newSlot ? `Move to ${dateTimeLabel(newSlot.start, tz)}` : 'Pick a time'}
                          </button>
                        </>
                      )}
                    </div>
                  )}
                </div>
              )}
              {a.status === 'cancelled' && <Notice>This appointment is cancelled. Any refund due appears on its payment.</Notice>}
            </>
          );
        }}
      </QueryState>
    </section>
  );
}

// ------------------------------------------------------------------ payments + invoices
async function downloadInvoice(invoiceId: string) {
  const blob = await api<Blob>('GET', `/v1/invoices/${invoiceId}.pdf`, { blob: true });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `invoice-${invoiceId}.pdf`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function InvoiceButton({ id, text = 'Download invoice (PDF)' }: { id: string; text?: string }) {
  const m = useMutation({ mutationFn: () => downloadInvoice(id) });
  return (
    <>
      <button type="button" className="secondary" onClick={() => m.mutate()} disabled={m.isPending}>
        {text}
      </button>
      <ErrorBox error={m.error} />
    </>
  );
}

export function PaymentPage() {
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const returned = params.get('returned') === '1';
  // Back from the gateway's page with its signed result: confirm at once rather than wait
  // for the webhook (the server checks the signature; the webhook confirms it too).
  const gatewayPayment = params.get('razorpay_payment_id');
  const signature = params.get('razorpay_signature');
  const verified = useRef(false);
  const qc = useQueryClient();
  useEffect(() => {
    if (!gatewayPayment || !signature || verified.current) return;
    verified.current = true;
    post(`/v1/payments/${id}/verify`, { gateway_payment_id: gatewayPayment, signature })
      .catch(() => undefined) // the webhook settles it anyway; the page keeps polling
      .finally(() => qc.invalidateQueries({ queryKey: ['payments', id] }));
  }, [id, gatewayPayment, signature, qc]);
  const q = useQuery({
    queryKey: ['payments', id],
    queryFn: () => get<Payment>(`/v1/payments/${id}`),
    // Until the gateway's webhook settles it, look again every 2 s.
    refetchInterval: (query) => (['captured', 'failed', 'refunded', 'partially_refunded'].includes(query.state.data?.status ?? '') ? false : 2000),
  });
  return (
    <section>
      <h1>Payment</h1>
      <QueryState q={q} what="Loading the payment">
        {(p) => (
          <>
            {returned && p.status === 'captured' && (
              <div className="notice success" role="status" data-testid="paid-confirmation">
                <h2>Paid — you're booked</h2>
                <p>
                  {money(p.amount)} received. <Link to={`/appointments/${p.appointment_id}`}>See your appointment</Link> for where to go, directions and
                  adding it to your calendar.
                </p>
              </div>
            )}
            <p>
              {money(p.amount)}: <strong data-testid="payment-status">{label(p.status)}</strong>
            </p>
            {p.status === 'created' && (
              <Notice>{returned ? 'Waiting for the gateway to confirm your payment. This page updates by itself.' : "Finish paying on the gateway's page. This page updates by itself."}</Notice>
            )}
            {p.failure_reason && <ErrorBox error={new Error(p.failure_reason)} />}
            {p.invoice_id && <InvoiceButton id={p.invoice_id} />}
            {(p.refunds ?? []).length > 0 && (
              <>
                <h2>Refunds</h2>
                <ul>
                  {(p.refunds ?? []).map((r) => (
                    <li key={r.id}>
                      {money(r.amount)} — {label(r.status)} {r.credit_note_id && <InvoiceButton id={r.credit_note_id} text="Credit note (PDF)" />}
                    </li>
                  ))}
                </ul>
              </>
            )}
            <p>
              <Link to={`/appointments/${p.appointment_id}`}>Back to the appointment</Link>
            </p>
          </>
        )}
      </QueryState>
    </section>
  );
}

/** The list may leave out invoice ids: a captured payment's own record has them. */
function InvoiceCell({ payment }: { payment: Payment }) {
  const settled = ['captured', 'refunded', 'partially_refunded'].includes(payment.status ?? '');
  const q = useQuery({
    queryKey: ['payments', payment.id],
    queryFn: () => get<Payment>(`/v1/payments/${payment.id}`),
    enabled: settled && !payment.invoice_id,
  });
  const id = payment.invoice_id || q.data?.invoice_id;
  if (q.isLoading) return <Loading what="Invoice" />;
  return id ? <InvoiceButton id={id} text="PDF" /> : <>—</>;
}

export function Invoices() {
  const q = usePaged<Payment>(['payments'], '/v1/payments', { limit: 50 });
  const tz = browserTimeZone();
  return (
    <section>
      <h1>Payments and invoices</h1>
      <QueryState q={q} what="Loading payments">
        {(data) =>
          (data.items ?? []).length === 0 ? (
            <p>No payments yet.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="sr-only">Your payments</caption>
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Amount</th>
                    <th scope="col">Status</th>
                    <th scope="col">Invoice</th>
                  </tr>
                </thead>
                <tbody>
                  {(data.items ?? []).map((p) => (
                    <tr key={p.id}>
                      <td>
                        <Link to={`/payments/${p.id}`}>{dateTimeLabel(p.created_at, tz)}</Link>
                      </td>
                      <td>{money(p.amount)}</td>
                      <td>{label(p.status)}</td>
                      <td>
                        <InvoiceCell payment={p} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
      <LoadMore q={q} what="older payments" />
    </section>
  );
}

// ------------------------------------------------------------------ notifications
export function Notifications() {
  const qc = useQueryClient();
  const tz = browserTimeZone();
  const q = usePaged<Notification>(['notifications'], '/v1/notifications', { limit: 30 });
  const done = () => {
    qc.invalidateQueries({ queryKey: ['notifications'] });
    qc.invalidateQueries({ queryKey: ['unread'] });
  };
  const readOne = useMutation({ mutationFn: (nid: string) => post(`/v1/notifications/${nid}/read`), onSuccess: done });
  const readAll = useMutation({ mutationFn: () => post('/v1/notifications/read-all'), onSuccess: done });
  return (
    <section>
      <h1>Notifications</h1>
      <p>
        <Link to="/notifications/preferences">Notification preferences</Link>
      </p>
      <button type="button" className="secondary" onClick={() => readAll.mutate()} disabled={readAll.isPending}>
        Mark all read
      </button>
      <ErrorBox error={readOne.error || readAll.error} />
      <QueryState q={q} what="Loading notifications">
        {(data) =>
          (data.items ?? []).length === 0 ? (
            <p>Nothing yet.</p>
          ) : (
            <ul className="cards" aria-label="Notifications">
              {(data.items ?? []).map((n) => (
                <li key={n.id} className={n.read ? 'card' : 'card unread'}>
                  <h2>
                    {n.link ? <Link to={n.link}>{n.title}</Link> : n.title} {!n.read && <span className="sr-only">(unread)</span>}
                  </h2>
                  <p>{n.body}</p>
                  <p className="muted">
                    {dateTimeLabel(n.created_at, tz)}{' '}
                    {!n.read && (
                      <button type="button" className="link" onClick={() => readOne.mutate(n.id!)}>
                        Mark read
                      </button>
                    )}
                  </p>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
      <LoadMore q={q} what="older notifications" />
    </section>
  );
}
