import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Trans, useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ApiError, api, get, newIdempotencyKey, post } from '../api/client';
import { LoadMore, getAll, usePaged } from '../api/paged';
import type { Appointment, Availability, Notification, Page, Payment, Practitioner, SearchFacets, Slot } from '../api/types';
import { useClaims } from '../auth/session';
import { Avatar, ErrorBox, Field, Loading, Notice, QueryState, Select, label, money } from '../components/ui';
import { addressLine, dayWords, googleCalendarUrl, icsFor, languageNames, modeWords, paymentWords, placeLine, statusWords, titleCase } from '../lib/appointment';
import { addDays, browserTimeZone, dateTimeLabel, dayKey, dayLabel, groupSlotsByDay, startOfDay, timeLabel, weekOf } from '../lib/time';
import { intlLocale } from '../i18n';

// ------------------------------------------------------------------ search
// The first visit's fee ranges the API counts (facets), in paise: [lowest, highest].
const FEE_RANGES: [number, number | undefined][] = [
  [0, 30000],
  [30001, 50000],
  [50001, 100000],
  [100001, 200000],
  [200001, undefined],
];

export function Search() {
  const { t, i18n } = useTranslation('patient');
  const [params, setParams] = useSearchParams();
  const [form, setForm] = useState({
    q: params.get('q') ?? '',
    specialty: params.get('specialty') ?? '',
    city: params.get('city') ?? '',
    language: params.get('language') ?? '',
    mode: params.get('mode') ?? '',
    available_on: params.get('available_on') ?? '',
    sort: params.get('sort') ?? '',
    latitude: params.get('latitude') ?? '',
    longitude: params.get('longitude') ?? '',
    radius_km: params.get('radius_km') ?? '',
    gender: params.get('gender') ?? '',
    fee_min_minor: params.get('fee_min_minor') ?? '',
    fee_max_minor: params.get('fee_max_minor') ?? '',
  });
  const [locating, setLocating] = useState(false);
  // Filters beyond the first four fold away on a phone, so the first results show on the
  // first screen; the summary says how many are set, and the chips below name them all.
  const moreSet = [form.language, form.mode, form.gender, form.fee_min_minor || form.fee_max_minor, form.sort].filter((v) => v.trim() !== '').length;
  const [moreOpen, setMoreOpen] = useState(() => moreSet > 0 || (typeof window.matchMedia === 'function' && window.matchMedia('(min-width: 48rem)').matches));
  const [geoError, setGeoError] = useState('');
  const near = form.latitude !== '' && form.longitude !== '';
  const query = Object.fromEntries(params.entries());
  // The first page also counts every match by gender and fee range (the API's facets).
  const q = usePaged<Practitioner, Page<Practitioner> & { facets?: SearchFacets }>(['search', query], '/v1/practitioners', { limit: 20, ...query }, { first: { facets: 'true' } });
  const facets = q.data?.facets;
  const counted = (label: string, n?: number) => (n === undefined ? label : `${label} (${n})`);
  const genderCount = (g: string) => facets && (facets.genders?.find((x) => x.value === g)?.count ?? 0);
  const feeKey = (min?: number | string, max?: number | string) => `${min ?? ''}-${max ?? ''}`;
  const rupees = (minor: number | string) => new Intl.NumberFormat(intlLocale(), { style: 'currency', currency: 'INR', minimumFractionDigits: 0, maximumFractionDigits: 0 }).format(Math.ceil(Number(minor) / 100));
  const feeLabel = (min: number, max?: number) =>
    max === undefined ? t('search.feeOver', { min: rupees(min - 1) }) : min === 0 ? t('search.feeUpTo', { max: rupees(max) }) : t('search.feeBetween', { min: rupees(min - 1), max: rupees(max) });
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm({ ...form, [k]: e.target.value });
  const search = (f: typeof form) => setParams(Object.fromEntries(Object.entries(f).filter(([, v]) => v.trim() !== '')));
  const apply = (f: typeof form) => {
    setForm(f);
    search(f);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    search(form);
  };
  // "Near me": the browser's position (to about 10 m) replaces nothing else; nearest first
  // unless another order is chosen.
  const locate = () => {
    setGeoError('');
    if (!('geolocation' in navigator)) return setGeoError(t('search.nearDenied'));
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setLocating(false);
        apply({ ...form, latitude: pos.coords.latitude.toFixed(4), longitude: pos.coords.longitude.toFixed(4) });
      },
      () => {
        setLocating(false);
        setGeoError(t('search.nearDenied'));
      },
      { maximumAge: 300_000, timeout: 15_000 },
    );
  };
  // Without the point (and its order): the Clear location button and the near chip.
  const noPoint = { latitude: '', longitude: '', radius_km: '', sort: form.sort === 'distance' ? '' : form.sort };
  const clearNear = () => apply({ ...form, ...noPoint });
  const km = (meters: number) => new Intl.NumberFormat(i18n.language, { maximumFractionDigits: 1 }).format(meters / 1000);
  // The filters of the search shown (the address, not the form being edited) that the four
  // fields above do not show, each a chip that removes it.
  const applied = (k: string) => (params.get(k) ?? '').trim();
  const chips: [string, string, Partial<typeof form>][] = [];
  if (applied('latitude') && applied('longitude'))
    chips.push(['near', `${t('search.nearOn')} · ${t('search.radiusKm', { km: applied('radius_km') || '10' })}`, noPoint]);
  if (applied('language')) chips.push(['language', applied('language'), { language: '' }]);
  if (applied('mode') === 'in_person' || applied('mode') === 'video') chips.push(['mode', t(applied('mode') === 'video' ? 'search.modeVideo' : 'search.modeInPerson'), { mode: '' }]);
  if (applied('gender') === 'female' || applied('gender') === 'male') chips.push(['gender', t(applied('gender') === 'female' ? 'search.genderFemale' : 'search.genderMale'), { gender: '' }]);
  const feeMin = Number(applied('fee_min_minor') || 0);
  const feeMax = applied('fee_max_minor') ? Number(applied('fee_max_minor')) : undefined;
  if (feeMin > 0 || feeMax !== undefined) chips.push(['fee', `${t('search.fee')}: ${feeLabel(feeMin, feeMax)}`, { fee_min_minor: '', fee_max_minor: '' }]);
  const filtered = Object.keys(form).some((k) => k !== 'sort' && applied(k) !== '');
  return (
    <section>
      <h1>{t('search.title')}</h1>
      <form className="filters search-form" onSubmit={submit} role="search" aria-label={t('search.formLabel')}>
        <Field label={t('search.q')} type="search" value={form.q} onChange={set('q')} />
        <Field label={t('search.specialty')} value={form.specialty} onChange={set('specialty')} />
        <Field label={t('search.city')} value={form.city} onChange={set('city')} />
        <Field label={t('search.freeOn')} type="date" value={form.available_on} onChange={set('available_on')} />
        {near ? (
          <Select label={`${t('search.nearOn')} · ${t('search.radius')}`} value={form.radius_km || '10'} onChange={set('radius_km')}>
            {['2', '5', '10', '25', '50'].map((r) => (
              <option key={r} value={r}>
                {t('search.radiusKm', { km: r })}
              </option>
            ))}
          </Select>
        ) : null}
        <button type="submit">{t('search.submit')}</button>
        {near ? (
          <button type="button" className="secondary" onClick={clearNear}>
            {t('search.nearClear')}
          </button>
        ) : (
          <button type="button" className="secondary" onClick={locate} disabled={locating}>
            {locating ? t('search.locating') : t('search.nearMe')}
          </button>
        )}
        <details className="more-filters" open={moreOpen} onToggle={(e) => setMoreOpen(e.currentTarget.open)}>
          <summary>{moreSet > 0 ? t('search.moreFiltersSet', { count: moreSet }) : t('search.moreFilters')}</summary>
          <div className="filters">
            <Field label={t('search.language')} placeholder={t('search.languagePlaceholder')} value={form.language} onChange={set('language')} />
            <Select label={t('search.mode')} value={form.mode} onChange={set('mode')}>
              <option value="">{t('search.modeAny')}</option>
              <option value="in_person">{t('search.modeInPerson')}</option>
              <option value="video">{t('search.modeVideo')}</option>
            </Select>
            <Select label={t('search.gender')} value={form.gender} onChange={set('gender')}>
              <option value="">{t('search.genderAny')}</option>
              <option value="female">{counted(t('search.genderFemale'), genderCount('female'))}</option>
              <option value="male">{counted(t('search.genderMale'), genderCount('male'))}</option>
            </Select>
            <Select
              label={t('search.fee')}
              value={feeKey(form.fee_min_minor || undefined, form.fee_max_minor || undefined)}
              onChange={(e) => {
                const [min, max] = e.target.value.split('-');
                setForm({ ...form, fee_min_minor: min, fee_max_minor: max });
              }}
            >
              <option value="-">{t('search.feeAny')}</option>
              {FEE_RANGES.map(([min, max]) => {
                const n = facets && (facets.fee_ranges?.find((r) => Number(r.fee_min_minor) === min)?.count ?? 0);
                return (
                  <option key={min} value={feeKey(min, max)}>
                    {counted(feeLabel(min, max), n)}
                  </option>
                );
              })}
            </Select>
            <Select label={t('search.sort')} value={form.sort} onChange={set('sort')}>
              <option value="">{t('search.sortBest')}</option>
              <option value="soonest">{t('search.sortSoonest')}</option>
              <option value="fee">{t('search.sortFee')}</option>
              <option value="experience">{t('search.sortExperience')}</option>
              {near && <option value="distance">{t('search.sortDistance')}</option>}
            </Select>
          </div>
        </details>
      </form>
      {geoError && <Notice>{geoError}</Notice>}
      {(chips.length > 0 || filtered) && (
        <ul className="chips" aria-label={t('search.inUse')}>
          {chips.map(([key, words, clear]) => (
            <li key={key}>
              <button type="button" className="chip" aria-label={t('search.removeFilter', { filter: words })} onClick={() => apply({ ...form, ...clear })}>
                {words} <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
          {filtered && (
            <li>
              <button type="button" className="link" onClick={() => apply(Object.fromEntries(Object.keys(form).map((k) => [k, k === 'sort' ? form.sort : ''])) as typeof form)}>
                {t('search.clearAll')}
              </button>
            </li>
          )}
        </ul>
      )}
      {facets && (
        <p className="muted" role="status" data-testid="search-total">
          {t('search.found', { count: facets.total ?? 0 })}
        </p>
      )}
      <QueryState q={q} what={t('search.searching')}>
        {(data) =>
          (data.items ?? []).length === 0 ? (
            <p>{t('search.noMatch')}</p>
          ) : (
            <ul className="cards" aria-label={t('search.listLabel')}>
              {(data.items ?? []).map((p) => (
                <li key={p.id} className="card practitioner-card" data-testid="practitioner-card">
                  <Avatar name={p.display_name} photoUrl={p.photo_url} />
                  <div>
                    <h2>
                      <Link to={`/practitioners/${p.id}`}>{p.display_name}</Link>
                    </h2>
                    <p>
                      {(p.specialties ?? []).map(titleCase).join(', ')}
                      {p.years_of_experience ? ` · ${t('search.experience', { years: p.years_of_experience })}` : ''}
                    </p>
                    <p className="muted">
                      {p.distance_meters != null && <span data-testid="distance">{t('search.distance', { km: km(p.distance_meters) })} · </span>}
                      {(p.facilities ?? []).map((f) => `${f.facility_name}, ${f.address?.city ?? ''}`).join(' · ')}
                    </p>
                    <p className="muted">
                      {t('search.speaks', { languages: languageNames(p.languages, i18n.language), modes: (p.consultation_modes ?? []).map(modeWords).join(', ') })}
                    </p>
                    <p>
                      <strong>{t('search.firstVisit', { fee: money(p.fees?.first_visit) })}</strong>
                      {' · '}
                      <span data-testid="next-free">{p.next_free_day ? t('search.nextFree', { day: dayWords(p.next_free_day) }) : t('search.noFreeTimes')}</span>
                    </p>
                  </div>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
      <LoadMore q={q} what={t('search.loadMore')} />
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
  const { t } = useTranslation('patient');
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
          {t('slots.earlier')}
        </button>
        <span aria-live="polite">
          {dayLabel(days[0])} – {dayLabel(days[6])}
        </span>
        <button type="button" className="secondary" onClick={() => setStart(addDays(start, 7))}>
          {t('slots.later')}
        </button>
      </div>
      {q.isPending && <Loading what={t('slots.loading')} />}
      {q.error ? <ErrorBox error={q.error} /> : null}
      {q.data && (
        <div className="week" role="group" aria-label={t('slots.gridLabel')} onKeyDown={onGridKey}>
          {days.map((d) => {
            const all = grouped.get(d) ?? [];
            const open = expanded.has(d) || all.length <= SLOTS_SHOWN + 1 || all.slice(SLOTS_SHOWN).some(isPicked);
            const shown = open ? all : all.slice(0, SLOTS_SHOWN);
            return (
              <section key={d} className="day" aria-label={dayLabel(d)}>
                <h3>{dayLabel(d)}</h3>
                {all.length === 0 ? (
                  <p className="muted">{t('slots.none')}</p>
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
                            {s.mode === 'video' && <span className="slot-mode">{` · ${t('slots.video')}`}</span>}
                          </button>
                        </li>
                      ))}
                    </ul>
                    {!open && (
                      <button type="button" className="link" onClick={() => setExpanded(new Set(expanded).add(d))}>
                        {t('slots.showMore', { count: all.length - SLOTS_SHOWN })}
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
  const { t, i18n } = useTranslation('patient');
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
      <QueryState q={q} what={t('practitioner.loading')}>
        {(p) => (
          <>
            <div className="profile-head">
              <Avatar name={p.display_name} photoUrl={p.photo_url} size="lg" />
              <div>
                <h1>{p.display_name}</h1>
                <p>{(p.specialties ?? []).map(titleCase).join(', ')}</p>
              </div>
            </div>
            {p.bio && <p>{p.bio}</p>}
            {claims && (
              <p>
                <Link to={`/consultations?practitioner=${encodeURIComponent(id)}`}>{t('practitioner.ask', { name: p.display_name })}</Link>
              </p>
            )}
            <p className="muted">
              {p.years_of_experience ? t('practitioner.experience', { years: p.years_of_experience }) : ''}
              {t('practitioner.languagesFees', {
                languages: languageNames(p.languages, i18n.language),
                firstVisit: money(p.fees?.first_visit),
                followUp: money(p.fees?.follow_up),
              })}
            </p>
            <h2>{t('practitioner.freeTimes')}</h2>
            <Select label={t('practitioner.timesShownIn')} value={tz} onChange={(e) => setTz(e.target.value)}>
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
                    {t('booking.title', { when: dateTimeLabel(picked.start, tz) })}
                  </h2>
                  <dl className="facts">
                    <dt>{t('booking.with')}</dt>
                    <dd>
                      {p.display_name}
                      {p.specialties?.length ? `, ${titleCase(p.specialties[0])}` : ''}
                    </dd>
                    <dt>{t('booking.where')}</dt>
                    <dd>
                      {picked.mode === 'video' ? (
                        t('booking.video')
                      ) : (
                        <>
                          {facility?.facility_name ?? t('booking.theClinic')}
                          {facility?.address ? `, ${addressLine(facility.address)}` : ''}
                        </>
                      )}
                    </dd>
                    <dt>{t('booking.fee')}</dt>
                    <dd data-testid="booking-fee">
                      {claims && history.isPending ? (
                        t('booking.workingOutFee')
                      ) : claims ? (
                        <>
                          <strong>{money(fee)}</strong> {first ? t('booking.firstVisit') : t('booking.followUp', { name: p.display_name })}
                        </>
                      ) : (
                        <>{t('booking.feesSignedOut', { firstVisit: money(p.fees?.first_visit), followUp: money(p.fees?.follow_up) })}</>
                      )}
                      {fee && Number(fee.amount_minor) > 0 && <span className="muted">{` · ${t('booking.paidOnline')}`}</span>}
                    </dd>
                    <dt>{t('booking.cancelling')}</dt>
                    <dd data-testid="booking-cutoff">
                      {cancelUntil > Date.now()
                        ? t('booking.freeToCancel', { when: dateTimeLabel(new Date(cancelUntil).toISOString(), tz) })
                        : t('booking.tooLate', { hours: Math.round(cutoff / 60) })}
                    </dd>
                  </dl>
                  <Field label={t('booking.reason')} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
                  <ErrorBox error={book.error} />
                  <button type="submit" disabled={book.isPending}>
                    {claims ? (book.isPending ? t('booking.booking') : t('booking.bookFor', { fee: money(fee) })) : t('booking.signIn')}
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
  const { t } = useTranslation('patient');
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
      <h1>{t('appointments.title')}</h1>
      <div role="tablist" aria-label={t('appointments.tabsLabel')}>
        {(['upcoming', 'past'] as const).map((k) => (
          <button key={k} role="tab" type="button" aria-selected={tab === k} className={tab === k ? 'tab active' : 'tab'} onClick={() => setTab(k)}>
            {k === 'upcoming' ? t('appointments.upcoming') : t('appointments.past')}
          </button>
        ))}
      </div>
      <QueryState q={q} what={t('appointments.loading')}>
        {() => {
          const items = shown;
          return items.length === 0 ? (
            hasNextPage ? (
              <Loading what={t('appointments.lookingBack')} />
            ) : (
              <p>
                <Trans t={t} i18nKey={tab === 'upcoming' ? 'appointments.noneUpcoming' : 'appointments.nonePast'} components={{ doctors: <Link to="/search" /> }} />
              </p>
            )
          ) : (
            <ul className="cards">
              {items.map((a) => (
                <li key={a.id} className="card" data-testid="appointment-card">
                  <Link to={`/appointments/${a.id}`}>{dateTimeLabel(a.start, tz)}</Link> <span className={`status s-${a.status}`}>{statusWords(a.status)}</span>
                  <p>
                    <strong>{a.practitioner_name || t('appointments.practitioner')}</strong>
                    {a.practitioner_specialty ? ` · ${titleCase(a.practitioner_specialty)}` : ''}
                  </p>
                  <p className="muted">
                    {a.mode === 'video' ? t('appointments.video') : placeLine(a)} · {money(a.fee)}
                    {a.payment_state && a.payment_state !== 'free' ? ` · ${paymentWords(a.payment_state)}` : ''}
                  </p>
                </li>
              ))}
            </ul>
          );
        }}
      </QueryState>
      <LoadMore q={q} what={tab === 'upcoming' ? t('appointments.loadLater') : t('appointments.loadEarlier')} />
    </section>
  );
}

export function AppointmentPage() {
  const { t } = useTranslation('patient');
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
      <QueryState q={q} what={t('appointment.loading')}>
        {(a) => {
          const open = upcomingStatuses.has(a.status ?? '') && a.status !== 'in_progress';
          const canCancelOnline = !a.cancellable_until || Date.parse(a.cancellable_until) > Date.now() || a.status === 'pending_payment';
          const appUrl = `${window.location.origin}/appointments/${a.id}`;
          return (
            <>
              {justBooked && (a.status === 'booked' || a.status === 'pending_payment') && (
                <div className="notice success" role="status" data-testid="booked-confirmation">
                  <h2>{a.status === 'booked' ? t('appointment.booked') : t('appointment.payToConfirmTitle')}</h2>
                  <p>
                    {a.mode === 'video'
                      ? t('appointment.bookedVideo', { name: a.practitioner_name ?? '', when: dateTimeLabel(a.start, tz) })
                      : a.facility_name
                        ? t('appointment.bookedAt', { name: a.practitioner_name ?? '', when: dateTimeLabel(a.start, tz), facility: a.facility_name })
                        : t('appointment.bookedPlain', { name: a.practitioner_name ?? '', when: dateTimeLabel(a.start, tz) })}
                  </p>
                </div>
              )}
              <h1>
                {a.practitioner_name
                  ? t('appointment.title', { name: a.practitioner_name ?? '', when: dateTimeLabel(a.start, tz) })
                  : t('appointment.titleNoName', { when: dateTimeLabel(a.start, tz) })}
              </h1>
              <p>
                {t('appointment.status')} <strong data-testid="appointment-status">{statusWords(a.status)}</strong>
              </p>
              <dl className="facts" data-testid="appointment-facts">
                <dt>{t('appointment.with')}</dt>
                <dd>
                  {a.practitioner_name || t('appointment.yourPractitioner')}
                  {a.practitioner_specialty ? `, ${titleCase(a.practitioner_specialty)}` : ''}
                </dd>
                <dt>{t('appointment.when')}</dt>
                <dd>
                  {dateTimeLabel(a.start, tz)} – {timeLabel(a.end!, tz)}{' '}
                  <span className="muted">({tz === a.timezone ? t('appointment.localTime') : t('appointment.yourTime', { tz: a.timezone })})</span>
                </dd>
                <dt>{t('appointment.where')}</dt>
                <dd>
                  {a.mode === 'video' ? (
                    <>
                      {t('appointment.video')}
                      {a.video_url && (upcomingStatuses.has(a.status ?? '') || a.status === 'checked_in') && (
                        <>
                          {' · '}
                          <a href={a.video_url} target="_blank" rel="noopener noreferrer">
                            {t('appointment.join')}
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
                            {t('appointment.directions')}
                          </a>
                        </>
                      )}
                    </>
                  )}
                </dd>
                {a.facility_phone && (
                  <>
                    <dt>{t('appointment.phone')}</dt>
                    <dd>
                      <a href={`tel:${a.facility_phone}`}>{a.facility_phone}</a>
                    </dd>
                  </>
                )}
                <dt>{t('appointment.fee')}</dt>
                <dd data-testid="appointment-fee">
                  {money(a.fee)} {a.fee && Number(a.fee.amount_minor) > 0 ? (a.is_first_visit ? t('appointment.firstVisit') : t('appointment.followUp')) : ''}
                  {a.payment_state && a.payment_state !== 'free' ? ` · ${paymentWords(a.payment_state)}` : ''}
                </dd>
                {open && a.cancellable_until && (
                  <>
                    <dt>{t('appointment.cancelling')}</dt>
                    <dd>
                      {canCancelOnline
                        ? t('appointment.freeToCancel', { when: dateTimeLabel(a.cancellable_until, tz) })
                        : a.facility_phone
                          ? t('appointment.tooLateCallOn', { place: a.facility_name || t('appointment.theClinic'), phone: a.facility_phone })
                          : t('appointment.tooLateCall', { place: a.facility_name || t('appointment.theClinic') })}
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
                    {t('appointment.addIcs')}
                  </a>{' '}
                  <a className="button secondary" href={googleCalendarUrl(a, appUrl)} target="_blank" rel="noopener noreferrer">
                    {t('appointment.addGoogle')}
                  </a>
                </p>
              )}
              {a.status === 'pending_payment' && (
                <div className="panel">
                  <p>{t('appointment.payToConfirm', { fee: money(a.fee), until: dateTimeLabel(a.hold_expires_at, tz) })}</p>
                  <ErrorBox error={pay.error} />
                  <button type="button" onClick={() => pay.mutate()} disabled={pay.isPending}>
                    {t('appointment.pay', { fee: money(a.fee) })}
                  </button>
                </div>
              )}
              {a.payment_id && (
                <p>
                  <Link to={`/payments/${a.payment_id}`}>{t('appointment.paymentLink')}</Link>
                </p>
              )}
              {open && (
                <div className="stack">
                  <form
                    className="panel"
                    aria-label={t('appointment.cancelFormLabel')}
                    onSubmit={(e) => {
                      e.preventDefault();
                      if (!confirmCancel) setConfirmCancel(true);
                      else cancel.mutate();
                    }}
                  >
                    <h2>{t('appointment.cancelTitle')}</h2>
                    <Field label={t('appointment.reason')} value={reason} onChange={(e) => setReason(e.target.value)} />
                    <ErrorBox error={cancel.error} />
                    {confirmCancel && (
                      <p role="alert" data-testid="cancel-confirm">
                        {t('appointment.cancelConfirm', { name: a.practitioner_name || t('appointment.thePractitioner'), when: dateTimeLabel(a.start, tz) })}
                        {a.payment_state === 'paid' ? ` ${t('appointment.refundNote')}` : ''}
                      </p>
                    )}
                    <button type="submit" className="danger" disabled={cancel.isPending}>
                      {confirmCancel ? t('appointment.yesCancel') : t('appointment.cancelAppointment')}
                    </button>
                    {confirmCancel && (
                      <button type="button" className="secondary" onClick={() => setConfirmCancel(false)}>
                        {t('appointment.keep')}
                      </button>
                    )}
                  </form>
                  {a.status !== 'pending_payment' && (
                    <div className="panel">
                      <h2>{t('appointment.reschedule')}</h2>
                      {!moving ? (
                        <button type="button" className="secondary" onClick={() => setMoving(true)}>
                          {t('appointment.chooseAnother')}
                        </button>
                      ) : (
                        <>
                          <WeekSlots practitionerId={a.practitioner_id!} tz={tz} onPick={setNewSlot} picked={newSlot} />
                          <ErrorBox error={reschedule.error} />
                          <button type="button" disabled={!newSlot || reschedule.isPending} onClick={() => reschedule.mutate()}>
                            {newSlot ? t('appointment.moveTo', { when: dateTimeLabel(newSlot.start, tz) }) : t('appointment.pickTime')}
                          </button>
                        </>
                      )}
                    </div>
                  )}
                </div>
              )}
              {a.status === 'cancelled' && <Notice>{t('appointment.cancelled')}</Notice>}
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

/** How a payment's (or a refund's) status reads; the enum itself when it is a new one. */
const PAYMENT_STATUSES = ['created', 'authorized', 'captured', 'failed', 'refunded', 'partially_refunded'] as const;
const REFUND_STATUSES = ['pending', 'processed', 'failed'] as const;
const isOneOf = <T extends string>(list: readonly T[], v?: string): v is T => (list as readonly string[]).includes(v ?? '');
function paymentStatusWords(t: TFunction<'patient'>, status?: string): string {
  return isOneOf(PAYMENT_STATUSES, status) ? t(`paymentStatus.${status}`) : label(status);
}
function refundStatusWords(t: TFunction<'patient'>, status?: string): string {
  return isOneOf(REFUND_STATUSES, status) ? t(`refundStatus.${status}`) : label(status);
}

function InvoiceButton({ id, text }: { id: string; text?: string }) {
  const { t } = useTranslation('patient');
  const m = useMutation({ mutationFn: () => downloadInvoice(id) });
  return (
    <>
      <button type="button" className="secondary" onClick={() => m.mutate()} disabled={m.isPending}>
        {text ?? t('payment.downloadInvoice')}
      </button>
      <ErrorBox error={m.error} />
    </>
  );
}

export function PaymentPage() {
  const { t } = useTranslation('patient');
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
      <h1>{t('payment.title')}</h1>
      <QueryState q={q} what={t('payment.loading')}>
        {(p) => (
          <>
            {returned && p.status === 'captured' && (
              <div className="notice success" role="status" data-testid="paid-confirmation">
                <h2>{t('payment.paidTitle')}</h2>
                <p>
                  <Trans
                    t={t}
                    i18nKey="payment.paidBody"
                    values={{ amount: money(p.amount) }}
                    components={{ appt: <Link to={`/appointments/${p.appointment_id}`} /> }}
                  />
                </p>
              </div>
            )}
            <p>
              {money(p.amount)}: <strong data-testid="payment-status">{paymentStatusWords(t, p.status)}</strong>
            </p>
            {p.status === 'created' && (
              <Notice>{returned ? t('payment.waitingGateway') : t('payment.finishPaying')}</Notice>
            )}
            {p.failure_reason && <ErrorBox error={new Error(p.failure_reason)} />}
            {p.invoice_id && <InvoiceButton id={p.invoice_id} />}
            {(p.refunds ?? []).length > 0 && (
              <>
                <h2>{t('payment.refunds')}</h2>
                <ul>
                  {(p.refunds ?? []).map((r) => (
                    <li key={r.id}>
                      {money(r.amount)} — {refundStatusWords(t, r.status)}{' '}
                      {r.credit_note_id && <InvoiceButton id={r.credit_note_id} text={t('payment.creditNote')} />}
                    </li>
                  ))}
                </ul>
              </>
            )}
            <p>
              <Link to={`/appointments/${p.appointment_id}`}>{t('payment.back')}</Link>
            </p>
          </>
        )}
      </QueryState>
    </section>
  );
}

/** The list may leave out invoice ids: a captured payment's own record has them. */
function InvoiceCell({ payment }: { payment: Payment }) {
  const { t } = useTranslation('patient');
  const settled = ['captured', 'refunded', 'partially_refunded'].includes(payment.status ?? '');
  const q = useQuery({
    queryKey: ['payments', payment.id],
    queryFn: () => get<Payment>(`/v1/payments/${payment.id}`),
    enabled: settled && !payment.invoice_id,
  });
  const id = payment.invoice_id || q.data?.invoice_id;
  if (q.isLoading) return <Loading what={t('invoices.loadingInvoice')} />;
  return id ? <InvoiceButton id={id} text={t('invoices.pdf')} /> : <>—</>;
}

export function Invoices() {
  const { t } = useTranslation('patient');
  const q = usePaged<Payment>(['payments'], '/v1/payments', { limit: 50 });
  const tz = browserTimeZone();
  return (
    <section>
      <h1>{t('invoices.title')}</h1>
      <QueryState q={q} what={t('invoices.loading')}>
        {(data) =>
          (data.items ?? []).length === 0 ? (
            <p>{t('invoices.none')}</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="sr-only">{t('invoices.caption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('invoices.date')}</th>
                    <th scope="col">{t('invoices.amount')}</th>
                    <th scope="col">{t('invoices.status')}</th>
                    <th scope="col">{t('invoices.invoice')}</th>
                  </tr>
                </thead>
                <tbody>
                  {(data.items ?? []).map((p) => (
                    <tr key={p.id}>
                      <td>
                        <Link to={`/payments/${p.id}`}>{dateTimeLabel(p.created_at, tz)}</Link>
                      </td>
                      <td>{money(p.amount)}</td>
                      <td>{paymentStatusWords(t, p.status)}</td>
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
      <LoadMore q={q} what={t('invoices.loadMore')} />
    </section>
  );
}

// ------------------------------------------------------------------ notifications
export function Notifications() {
  const { t } = useTranslation('patient');
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
      <h1>{t('notifications.title')}</h1>
      <p>
        <Link to="/notifications/preferences">{t('notifications.preferences')}</Link>
      </p>
      <button type="button" className="secondary" onClick={() => readAll.mutate()} disabled={readAll.isPending}>
        {t('notifications.markAll')}
      </button>
      <ErrorBox error={readOne.error || readAll.error} />
      <QueryState q={q} what={t('notifications.loading')}>
        {(data) =>
          (data.items ?? []).length === 0 ? (
            <p>{t('notifications.none')}</p>
          ) : (
            <ul className="cards" aria-label={t('notifications.listLabel')}>
              {(data.items ?? []).map((n) => (
                <li key={n.id} className={n.read ? 'card' : 'card unread'}>
                  <h2>
                    {n.link ? <Link to={n.link}>{n.title}</Link> : n.title} {!n.read && <span className="sr-only">{t('notifications.unread')}</span>}
                  </h2>
                  <p>{n.body}</p>
                  <p className="muted">
                    {dateTimeLabel(n.created_at, tz)}{' '}
                    {!n.read && (
                      <button type="button" className="link" onClick={() => readOne.mutate(n.id!)}>
                        {t('notifications.markRead')}
                      </button>
                    )}
                  </p>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
      <LoadMore q={q} what={t('notifications.loadMore')} />
    </section>
  );
}
