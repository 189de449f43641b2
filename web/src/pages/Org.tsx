import { useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, get, newIdempotencyKey, post, refreshSession } from '../api/client';
import { LoadMore, Truncated, getAll, usePaged } from '../api/paged';
import type { Appointment, Facility, Organization, Page, Payment, StaffList } from '../api/types';
import { orgIdsFor } from '../auth/tokens';
import { useClaims } from '../auth/session';
import { ErrorBox, Field, Loading, Notice, QueryState, Select, label, money } from '../components/ui';
import { addDays, browserTimeZone, dateTimeLabel, dayKey, dayLabel, isValidTimeZone, startOfDay, timeLabel } from '../lib/time';
import { appointmentsPerDay, CHART_STATUSES, noShowRate, revenuePerWeek } from '../lib/dashboard';
import { checkEmail, checkPhone, checkRequired, parsePoint, validate } from '../lib/validation';
import { paymentWords, statusWords } from '../lib/appointment';
import { useSubmit } from './Auth';

type EnumGroup = 'orgStatus' | 'orgType' | 'role' | 'invitationStatus' | 'paymentStatus' | 'chartStatus';
/** Words for an API enum value (as `label` writes them in English), in the interface language. */
function enumWords(t: TFunction<'org'>, group: EnumGroup, value?: string): string {
  const words = t(`enums.${group}`, { returnObjects: true }) as Record<string, string>;
  return words[value ?? ''] ?? label(value);
}

export function MyOrganizations() {
  const claims = useClaims();
  const ids = Array.from(new Set([...orgIdsFor(claims, 'org_admin'), ...orgIdsFor(claims, 'org_staff'), ...orgIdsFor(claims, 'practitioner')]));
  const orgs = useQueries({ queries: ids.map((id) => ({ queryKey: ['org', id], queryFn: () => get<Organization>(`/v1/organizations/${id}`) })) });
  const isPractitioner = orgIdsFor(claims, 'practitioner').length > 0;
  const { t } = useTranslation('org');
  return (
    <section>
      <h1>{t('myOrgs.title')}</h1>
      {ids.length === 0 && <p>{t('myOrgs.none')}</p>}
      <ul className="cards">
        {orgs.map((q, i) => (
          <li key={ids[i]} className="card">
            {q.isPending ? (
              <Loading />
            ) : q.error ? (
              <ErrorBox error={q.error} />
            ) : (
              <>
                <Link to={`/organizations/${ids[i]}`}>{q.data?.display_name || q.data?.legal_name}</Link> <span className="status">{enumWords(t, 'orgStatus', q.data?.status)}</span>
              </>
            )}
          </li>
        ))}
      </ul>
      {isPractitioner && (
        <p>
          <Trans
            t={t}
            i18nKey="myOrgs.practitionerLinks"
            components={{ profile: <Link to="/practice/profile" />, availability: <Link to="/practice/availability" />, today: <Link to="/practice/today" /> }}
          />
        </p>
      )}
      <p>
        <Link className="button" to="/organizations/new">
          {t('myOrgs.register')}
        </Link>
      </p>
    </section>
  );
}

export function RegisterOrganization() {
  const navigate = useNavigate();
  const [f, setF] = useState({ type: 'clinic', legal_name: '', display_name: '', registration_number: '', line1: '', city: '', state: '', pincode: '', contact_email: '', contact_phone: '', gstin: '' });
  const s = useSubmit();
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setF({ ...f, [k]: e.target.value });
  const { t } = useTranslation('org');
  return (
    <section className="narrow">
      <h1>{t('register.title')}</h1>
      <p>{t('register.intro')}</p>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          s.run(
            validate({
              legal_name: checkRequired(f.legal_name, t('required.legalName')),
              registration_number: checkRequired(f.registration_number, t('required.registrationNumber')),
              'address.line1': checkRequired(f.line1, t('required.address')),
              'address.city': checkRequired(f.city, t('required.city')),
              'address.state': checkRequired(f.state, t('required.state')),
              'address.pincode': /^\d{6}$/.test(f.pincode) ? undefined : t('pincodeInvalid'),
              contact_email: checkEmail(f.contact_email),
              contact_phone: checkRequired(f.contact_phone, t('required.phone')) || checkPhone(f.contact_phone),
            }),
            async () => {
              const org = await post<Organization>('/v1/organizations', {
                type: f.type,
                legal_name: f.legal_name.trim(),
                display_name: f.display_name.trim(),
                registration_number: f.registration_number.trim(),
                address: { line1: f.line1.trim(), city: f.city.trim(), state: f.state.trim(), pincode: f.pincode.trim() },
                contact_email: f.contact_email.trim(),
                contact_phone: f.contact_phone.trim(),
                ...(f.gstin.trim() ? { gstin: f.gstin.trim() } : {}),
              });
              // The new org_admin role is in the next access token.
              await refreshSession();
              navigate(`/organizations/${org.id}`);
            },
          );
        }}
      >
        <ErrorBox error={s.error} shownFields={['legal_name', 'registration_number', 'address.line1', 'address.city', 'address.state', 'address.pincode', 'contact_email', 'contact_phone']} />
        <Select label={t('register.type')} value={f.type} onChange={set('type')}>
          <option value="clinic">{t('register.types.clinic')}</option>
          <option value="hospital">{t('register.types.hospital')}</option>
          <option value="lab">{t('register.types.lab')}</option>
          <option value="individual_practice">{t('register.types.individualPractice')}</option>
        </Select>
        <Field label={t('register.legalName')} value={f.legal_name} onChange={set('legal_name')} error={s.fields.legal_name} />
        <Field label={t('register.displayName')} value={f.display_name} onChange={set('display_name')} />
        <Field label={t('register.registrationNumber')} value={f.registration_number} onChange={set('registration_number')} error={s.fields.registration_number} />
        <Field label={t('register.address')} value={f.line1} onChange={set('line1')} error={s.fields['address.line1']} autoComplete="address-line1" />
        <Field label={t('register.city')} value={f.city} onChange={set('city')} error={s.fields['address.city']} autoComplete="address-level2" />
        <Field label={t('register.state')} value={f.state} onChange={set('state')} error={s.fields['address.state']} autoComplete="address-level1" />
        <Field label={t('register.pincode')} inputMode="numeric" value={f.pincode} onChange={set('pincode')} error={s.fields['address.pincode']} autoComplete="postal-code" />
        <Field label={t('register.contactEmail')} type="email" value={f.contact_email} onChange={set('contact_email')} error={s.fields.contact_email} />
        <Field label={t('register.contactPhone')} type="tel" placeholder="+918041234567" value={f.contact_phone} onChange={set('contact_phone')} error={s.fields.contact_phone} />
        <Field label={t('register.gstin')} value={f.gstin} onChange={set('gstin')} error={s.fields.gstin} />
        <button type="submit" disabled={s.busy}>
          {t('register.submit')}
        </button>
      </form>
    </section>
  );
}

function Documents({ org }: { org: Organization }) {
  const qc = useQueryClient();
  const file = useRef<HTMLInputElement>(null);
  const [docType, setDocType] = useState('registration_certificate');
  const [uploaded, setUploaded] = useState<string[]>([]);
  const { t } = useTranslation('org');
  const upload = useMutation({
    mutationFn: async () => {
      const f = file.current?.files?.[0];
      if (!f) throw new Error(t('documents.chooseFile'));
      await api('POST', `/v1/organizations/${org.id}/documents`, { raw: f, query: { document_type: docType, filename: f.name } });
      return f.name;
    },
    onSuccess: (name) => setUploaded([...uploaded, name]),
  });
  const submit = useMutation({
    mutationFn: () => post(`/v1/organizations/${org.id}/submit`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['org', org.id] }),
  });
  const canSubmit = ['pending_verification', 'changes_requested'].includes(org.status ?? '');
  return (
    <section aria-labelledby="docs-h" className="panel">
      <h2 id="docs-h">{t('documents.title')}</h2>
      <p>
        {t('documents.status')} <strong data-testid="org-status">{enumWords(t, 'orgStatus', org.status)}</strong>
      </p>
      {(org.verification_history ?? []).length > 0 && (
        <ul>
          {(org.verification_history ?? []).map((h, i) => (
            <li key={i}>
              {dateTimeLabel(h.at, browserTimeZone())}: {enumWords(t, 'orgStatus', h.from_status)} → {enumWords(t, 'orgStatus', h.to_status)} {h.reason ? `(${h.reason})` : ''}
            </li>
          ))}
        </ul>
      )}
      {canSubmit && (
        <>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              upload.mutate();
            }}
          >
            <Select label={t('documents.document')} value={docType} onChange={(e) => setDocType(e.target.value)}>
              <option value="registration_certificate">{t('documents.types.registrationCertificate')}</option>
              <option value="license">{t('documents.types.license')}</option>
              <option value="gst_certificate">{t('documents.types.gstCertificate')}</option>
              <option value="other">{t('documents.types.other')}</option>
            </Select>
            <div className="field">
              <label htmlFor="doc-file">{t('documents.file')}</label>
              <input id="doc-file" ref={file} type="file" accept="application/pdf,image/png,image/jpeg" />
            </div>
            <ErrorBox error={upload.error} />
            <button type="submit" className="secondary" disabled={upload.isPending}>
              {t('documents.upload')}
            </button>
          </form>
          {uploaded.length > 0 && <Notice>{t('documents.uploaded', { files: uploaded.join(', ') })}</Notice>}
          <ErrorBox error={submit.error} />
          <button type="button" onClick={() => submit.mutate()} disabled={submit.isPending}>
            {t('documents.submit')}
          </button>
        </>
      )}
    </section>
  );
}

function Facilities({ orgId }: { orgId: string }) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['facilities', orgId], queryFn: () => get<Page<Facility>>(`/v1/organizations/${orgId}/facilities`) });
  const [f, setF] = useState({ name: '', timezone: 'Asia/Kolkata', line1: '', city: '', state: '', pincode: '', location: '' });
  const point = parsePoint(f.location);
  const s = useSubmit();
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement>) => setF({ ...f, [k]: e.target.value });
  const { t } = useTranslation('org');
  return (
    <section aria-labelledby="fac-h" className="panel">
      <h2 id="fac-h">{t('facilities.title')}</h2>
      <QueryState q={q} what={t('facilities.loading')}>
        {(d) => (
          <ul>
            {(d.items ?? []).map((x) => (
              <li key={x.id}>
                {x.name} — {x.address?.city} ({x.timezone})
              </li>
            ))}
          </ul>
        )}
      </QueryState>
      <form
        noValidate
        aria-label={t('facilities.add')}
        onSubmit={(e) => {
          e.preventDefault();
          s.run(
            validate({
              name: checkRequired(f.name, t('required.name')),
              timezone: isValidTimeZone(f.timezone) ? undefined : t('facilities.timezoneInvalid'),
              'address.line1': checkRequired(f.line1, t('required.address')),
              'address.city': checkRequired(f.city, t('required.city')),
              'address.pincode': /^\d{6}$/.test(f.pincode) ? undefined : t('pincodeInvalid'),
              'address.latitude': point === undefined ? t('facilities.locationInvalid') : undefined,
            }),
            async () => {
              await post(`/v1/organizations/${orgId}/facilities`, {
                name: f.name.trim(),
                timezone: f.timezone.trim(),
                address: { line1: f.line1.trim(), city: f.city.trim(), state: f.state.trim(), pincode: f.pincode.trim(), ...(point ?? {}) },
              });
              setF({ ...f, name: '', line1: '', location: '' });
              qc.invalidateQueries({ queryKey: ['facilities', orgId] });
            },
          );
        }}
      >
        <h3>{t('facilities.add')}</h3>
        <ErrorBox error={s.error} shownFields={['name', 'timezone', 'address.line1', 'address.city', 'address.pincode', 'address.latitude', 'address.longitude']} />
        <Field label={t('facilities.name')} value={f.name} onChange={set('name')} error={s.fields.name} />
        <Field label={t('facilities.timezone')} value={f.timezone} onChange={set('timezone')} error={s.fields.timezone} />
        <Field label={t('facilities.address')} value={f.line1} onChange={set('line1')} error={s.fields['address.line1']} />
        <Field label={t('facilities.city')} value={f.city} onChange={set('city')} error={s.fields['address.city']} />
        <Field label={t('facilities.state')} value={f.state} onChange={set('state')} />
        <Field label={t('facilities.pincode')} value={f.pincode} onChange={set('pincode')} error={s.fields['address.pincode']} />
        <Field
          label={t('facilities.location')}
          hint={t('facilities.locationHint')}
          placeholder="12.9716, 77.5946"
          inputMode="decimal"
          value={f.location}
          onChange={set('location')}
          error={s.fields['address.latitude'] ?? s.fields['address.longitude']}
        />
        <button type="submit" disabled={s.busy}>
          {t('facilities.submit')}
        </button>
      </form>
    </section>
  );
}

function Staff({ orgId }: { orgId: string }) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['staff', orgId], queryFn: () => get<StaffList>(`/v1/organizations/${orgId}/staff`) });
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('practitioner');
  const s = useSubmit();
  const { t } = useTranslation('org');
  return (
    <section aria-labelledby="staff-h" className="panel">
      <h2 id="staff-h">{t('staff.title')}</h2>
      <QueryState q={q} what={t('staff.loading')}>
        {(d) => (
          <>
            <ul>
              {(d.items ?? []).map((m) => (
                <li key={m.user_id}>
                  {m.full_name} ({m.email}) — {(m.roles ?? []).map((r) => enumWords(t, 'role', r)).join(', ')}
                </li>
              ))}
            </ul>
            {(d.pending_invitations ?? []).length > 0 && (
              <>
                <h3>{t('staff.invitations')}</h3>
                <ul>
                  {(d.pending_invitations ?? []).map((i) => (
                    <li key={i.id}>
                      {t('staff.invitation', { email: i.email, role: enumWords(t, 'role', i.role), status: enumWords(t, 'invitationStatus', i.status) })}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </>
        )}
      </QueryState>
      <form
        noValidate
        aria-label={t('staff.inviteLabel')}
        onSubmit={(e) => {
          e.preventDefault();
          s.run(validate({ email: checkEmail(email) }), async () => {
            await post(`/v1/organizations/${orgId}/staff`, { email: email.trim(), role });
            setEmail('');
            qc.invalidateQueries({ queryKey: ['staff', orgId] });
          });
        }}
      >
        <h3>{t('staff.invite')}</h3>
        <ErrorBox error={s.error} shownFields={['email']} />
        <Field label={t('staff.email')} type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={s.fields.email} />
        <Select label={t('staff.role')} value={role} onChange={(e) => setRole(e.target.value)}>
          <option value="practitioner">{t('staff.roles.practitioner')}</option>
          <option value="org_staff">{t('staff.roles.orgStaff')}</option>
          <option value="org_admin">{t('staff.roles.orgAdmin')}</option>
        </Select>
        <button type="submit" disabled={s.busy}>
          {t('staff.submit')}
        </button>
      </form>
    </section>
  );
}

function OrgPayments({ orgId }: { orgId: string }) {
  const tz = browserTimeZone();
  const qc = useQueryClient();
  const q = usePaged<Payment>(['payments', 'org', orgId], '/v1/payments', { limit: 50 });
  const { t } = useTranslation('org');
  const refund = useMutation({
    mutationFn: (p: Payment) => post(`/v1/payments/${p.id}/refunds`, { reason: 'Refund by the clinic' }, { idempotencyKey: newIdempotencyKey() }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['payments'] }),
  });
  return (
    <section aria-labelledby="pay-h" className="panel">
      <h2 id="pay-h">{t('payments.title')}</h2>
      <ErrorBox error={refund.error} />
      <QueryState q={q} what={t('payments.loading')}>
        {(d) => {
          const items = (d.items ?? []).filter((p) => p.organization_id === orgId);
          return items.length === 0 ? (
            <p>{t('payments.none')}</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('payments.created')}</th>
                    <th scope="col">{t('payments.amount')}</th>
                    <th scope="col">{t('payments.refunded')}</th>
                    <th scope="col">{t('payments.status')}</th>
                    <th scope="col">{t('payments.action')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((p) => (
                    <tr key={p.id}>
                      <td>{dateTimeLabel(p.created_at, tz)}</td>
                      <td>{money(p.amount)}</td>
                      <td>{money(p.status === 'refunded' ? p.amount : p.amount_refunded)}</td>
                      <td>{enumWords(t, 'paymentStatus', p.status)}</td>
                      <td>
                        {['captured', 'partially_refunded'].includes(p.status ?? '') && (
                          <button type="button" className="secondary" disabled={refund.isPending} onClick={() => refund.mutate(p)}>
                            {t('payments.refundRest')}
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </QueryState>
      <LoadMore q={q} what={t('payments.older')} />
    </section>
  );
}

function OrgAppointments({ orgId }: { orgId: string }) {
  const tz = browserTimeZone();
  const today = dayKey(Date.now(), tz);
  const from = new Date(startOfDay(addDays(today, -7), tz)).toISOString();
  const to = new Date(startOfDay(addDays(today, 15), tz)).toISOString();
  const q = useQuery({
    queryKey: ['appointments', 'org', orgId, 'list', from],
    queryFn: () => getAll<Appointment>('/v1/appointments', { role: 'org', organization_id: orgId, from, to }),
  });
  const { t } = useTranslation('org');
  return (
    <section aria-labelledby="appts-h" className="panel">
      <h2 id="appts-h">{t('appointments.title')}</h2>
      <QueryState q={q} what={t('appointments.loading')}>
        {(d) =>
          (d.items ?? []).length === 0 ? (
            <p>{t('appointments.none')}</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('appointments.when')}</th>
                    <th scope="col">{t('appointments.patient')}</th>
                    <th scope="col">{t('appointments.practitioner')}</th>
                    <th scope="col">{t('appointments.where')}</th>
                    <th scope="col">{t('appointments.fee')}</th>
                    <th scope="col">{t('appointments.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {/* The API lists them by start time. */}
                  {(d.items ?? []).map((a) => (
                    <tr key={a.id} data-testid="org-appointment">
                      <td>{dateTimeLabel(a.start, tz)}</td>
                      <td>
                        {a.patient?.full_name ?? '—'}
                        {a.patient?.age !== undefined && `, ${a.patient.age}`}
                        {a.patient?.phone && (
                          <>
                            <br />
                            <a href={`tel:${a.patient.phone}`}>{a.patient.phone}</a>
                          </>
                        )}
                      </td>
                      <td>{a.practitioner_name ?? '—'}</td>
                      <td>{a.mode === 'video' ? t('video') : a.facility_name}</td>
                      <td>
                        {money(a.fee)}
                        {a.payment_state && a.payment_state !== 'free' ? ` · ${paymentWords(a.payment_state)}` : ''}
                      </td>
                      <td>{statusWords(a.status)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
    </section>
  );
}

// The front desk's screen: today's arrivals per practitioner, with check-in. It refreshes
// every few seconds (and when the tab comes back), so a booking made a minute ago is there.
const ARRIVING = new Set(['booked', 'pending_payment']);
export function FrontDesk() {
  const { id = '' } = useParams();
  const tz = browserTimeZone();
  const qc = useQueryClient();
  const today = dayKey(Date.now(), tz);
  const from = new Date(startOfDay(today, tz)).toISOString();
  const to = new Date(startOfDay(addDays(today, 1), tz)).toISOString();
  const org = useQuery({ queryKey: ['org', id], queryFn: () => get<Organization>(`/v1/organizations/${id}`) });
  const q = useQuery({
    queryKey: ['appointments', 'org', id, 'today', from],
    queryFn: () => getAll<Appointment>('/v1/appointments', { role: 'org', organization_id: id, from, to }),
    refetchInterval: 5_000,
    refetchOnWindowFocus: true,
  });
  const checkIn = useMutation({
    mutationFn: (appointmentId: string) => post(`/v1/appointments/${appointmentId}/check-in`, {}),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['appointments'] }),
  });
  const { t } = useTranslation('org');
  return (
    <section>
      <h1>{org.data ? t('frontDesk.titleWithOrg', { name: org.data.display_name || org.data.legal_name }) : t('frontDesk.title')}</h1>
      <p className="muted">
        {dayLabel(today)} · {t('frontDesk.updatesItself')} · <Link to={`/organizations/${id}`}>{t('backToOrg')}</Link>
      </p>
      <ErrorBox error={checkIn.error} />
      <QueryState q={q} what={t('frontDesk.loading')}>
        {(d) => {
          const items = (d.items ?? []).filter((a) => a.status !== 'cancelled' && a.status !== 'expired');
          if (items.length === 0) return <p>{t('frontDesk.none')}</p>;
          const byPractitioner = new Map<string, Appointment[]>();
          for (const a of items) {
            const k = a.practitioner_name || t('frontDesk.practitioner');
            byPractitioner.set(k, [...(byPractitioner.get(k) ?? []), a]);
          }
          return (
            <div className="stack">
              {Array.from(byPractitioner.entries()).map(([name, list]) => {
                const waiting = list.filter((a) => ARRIVING.has(a.status ?? '')).length;
                return (
                  <section key={name} className="panel" aria-label={name} data-testid="front-desk-practitioner">
                    <h2>
                      {name} <span className="muted">{t('frontDesk.stillToArrive', { n: waiting })}</span>
                    </h2>
                    <ul className="cards">
                      {list.map((a) => (
                        <li key={a.id} className="card" data-testid="arrival">
                          <strong>{timeLabel(a.start!, tz)}</strong> {a.patient?.full_name ?? t('frontDesk.patient')}
                          {a.patient?.age !== undefined && t('frontDesk.age', { age: a.patient.age })}{' '}
                          <span className={`status s-${a.status}`}>{statusWords(a.status)}</span>
                          <p className="muted">
                            {a.patient?.phone && (
                              <>
                                <a href={`tel:${a.patient.phone}`}>{a.patient.phone}</a>
                                {' · '}
                              </>
                            )}
                            {a.mode === 'video' ? t('video') : a.facility_name} · {money(a.fee)}
                            {a.payment_state && a.payment_state !== 'free' ? ` · ${paymentWords(a.payment_state)}` : ''}
                          </p>
                          {a.status === 'booked' && (
                            <button type="button" disabled={checkIn.isPending} onClick={() => checkIn.mutate(a.id!)}>
                              {a.patient?.full_name ? t('frontDesk.checkIn', { name: a.patient.full_name }) : t('frontDesk.checkInNoName')}
                            </button>
                          )}
                        </li>
                      ))}
                    </ul>
                  </section>
                );
              })}
            </div>
          );
        }}
      </QueryState>
    </section>
  );
}

export function OrganizationPage() {
  const { id = '' } = useParams();
  const claims = useClaims();
  const q = useQuery({ queryKey: ['org', id], queryFn: () => get<Organization>(`/v1/organizations/${id}`) });
  const isAdmin = orgIdsFor(claims, 'org_admin').includes(id);
  const { t } = useTranslation('org');
  return (
    <section>
      <QueryState q={q} what={t('page.loading')}>
        {(org) => (
          <>
            <h1>{org.display_name || org.legal_name}</h1>
            <p className="muted">
              {enumWords(t, 'orgType', org.type)} · {org.address?.city} · {t('page.registration', { number: org.registration_number })}
            </p>
            {isAdmin && (
              <p>
                <Link to={`/organizations/${id}/front-desk`}>{t('page.frontDesk')}</Link> · <Link to={`/organizations/${id}/dashboard`}>{t('page.dashboard')}</Link>
              </p>
            )}
            <div className="stack">
              {isAdmin && <Documents org={org} />}
              {isAdmin && <Facilities orgId={id} />}
              {isAdmin && <Staff orgId={id} />}
              {isAdmin && org.status === 'verified' && <OrgAppointments orgId={id} />}
              {isAdmin && org.status === 'verified' && <OrgPayments orgId={id} />}
            </div>
          </>
        )}
      </QueryState>
    </section>
  );
}

const STATUS_COLORS: Record<string, string> = {
  booked: '#1f77b4',
  checked_in: '#17becf',
  in_progress: '#9467bd',
  completed: '#2ca02c',
  cancelled: '#7f7f7f',
  no_show: '#d62728',
};

export function Dashboard() {
  const { id = '' } = useParams();
  const tz = browserTimeZone();
  const today = dayKey(Date.now(), tz);
  const days = Array.from({ length: 28 }, (_, i) => addDays(today, i - 20));
  const from = new Date(startOfDay(days[0], tz)).toISOString();
  const to = new Date(startOfDay(addDays(days[days.length - 1], 1), tz)).toISOString();
  const appts = useQuery({
    queryKey: ['appointments', 'org', id, from],
    queryFn: () => getAll<Appointment>('/v1/appointments', { role: 'org', organization_id: id, from, to }),
  });
  const pays = useQuery({ queryKey: ['payments', 'org', id, 'all'], queryFn: () => getAll<Payment>('/v1/payments') });
  const perDay = appointmentsPerDay(appts.data?.items ?? [], tz, days).map((r) => ({ ...r, label: dayLabel(r.day) }));
  const rate = noShowRate(appts.data?.items ?? []);
  const { t } = useTranslation('org');
  const revenue = revenuePerWeek((pays.data?.items ?? []).filter((p) => p.organization_id === id), tz).map((w) => ({ week: dayLabel(w.week), rupees: w.amount_minor / 100 }));
  return (
    <section>
      <h1>{t('dashboard.title')}</h1>
      <p>
        <Link to={`/organizations/${id}`}>{t('backToOrg')}</Link>
      </p>
      <ErrorBox error={appts.error || pays.error} />
      {(appts.isPending || pays.isPending) && <Loading what={t('dashboard.loading')} />}
      <Truncated shown={!!appts.data?.truncated} what={t('dashboard.truncatedAppointments')} />
      <Truncated shown={!!pays.data?.truncated} what={t('dashboard.truncatedPayments')} />
      <div className="kpis">
        <div className="kpi">
          <span className="kpi-value" data-testid="no-show-rate">
            {rate === null ? '—' : `${Math.round(rate * 100)}%`}
          </span>
          <span>{t('dashboard.noShowRate')}</span>
        </div>
        <div className="kpi">
          <span className="kpi-value">{(appts.data?.items ?? []).length}</span>
          <span>{t('dashboard.inView')}</span>
        </div>
      </div>
      <h2 id="chart-appts">{t('dashboard.chartAppointments')}</h2>
      <div className="chart" role="img" aria-labelledby="chart-appts">
        <ResponsiveContainer width="100%" height={280}>
          <BarChart data={perDay}>
            <CartesianGrid strokeDasharray="3 3" />
            {/* Labels thin out on narrow screens instead of running into each other. */}
            <XAxis dataKey="label" interval="preserveStartEnd" minTickGap={20} tick={{ fontSize: 12, fill: 'var(--muted)' }} />
            <YAxis allowDecimals={false} width={32} tick={{ fontSize: 12, fill: 'var(--muted)' }} />
            <Tooltip />
            <Legend />
            {CHART_STATUSES.map((s) => (
              <Bar key={s} dataKey={s} name={enumWords(t, 'chartStatus', s)} stackId="a" fill={STATUS_COLORS[s]} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <h2 id="chart-rev">{t('dashboard.chartRevenue')}</h2>
      <div className="chart" role="img" aria-labelledby="chart-rev">
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={revenue}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="week" interval="preserveStartEnd" minTickGap={20} tick={{ fontSize: 12, fill: 'var(--muted)' }} />
            <YAxis width={48} tick={{ fontSize: 12, fill: 'var(--muted)' }} />
            <Tooltip />
            <Line type="monotone" dataKey="rupees" name={t('dashboard.revenue')} stroke="#0b6e4f" isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}

export function AcceptInvitation() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const m = useMutation({
    mutationFn: async () => {
      await post(`/v1/invitations/${encodeURIComponent(params.get('token') ?? '')}/accept`);
      await refreshSession(); // the new role is in the next access token
    },
    onSuccess: () => navigate('/organizations'),
  });
  const { t } = useTranslation('org');
  return (
    <section className="narrow">
      <h1>{t('invitation.title')}</h1>
      <p>{t('invitation.intro')}</p>
      <ErrorBox error={m.error} />
      <button type="button" onClick={() => m.mutate()} disabled={m.isPending}>
        {t('invitation.accept')}
      </button>
    </section>
  );
}
