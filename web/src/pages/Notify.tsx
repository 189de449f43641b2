import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post, put } from '../api/client';
import { LoadMore, usePaged } from '../api/paged';
import type { components } from '../api/schema';
import { ErrorBox, Field, Notice, QueryState, Select, label } from '../components/ui';
import { browserTimeZone, dateTimeLabel } from '../lib/time';
import { CATEGORIES, CHANNELS, LOCALES, formFromApi, quietMinutes, requestFromForm, validatePrefs, type Preferences, type PrefsForm } from '../lib/prefs';

type Outbound = components['schemas']['healthtech_notification_v1_OutboundMessage'];

const CHANNEL_NAMES: Record<string, string> = { in_app: 'In the app', email: 'Email', sms: 'SMS' };
const CATEGORY_NAMES: Record<string, string> = {
  appointments: 'Appointments',
  payments: 'Payments',
  forum: 'Forum replies and moderation',
  account: 'Account and security',
  marketing: 'News and offers',
};

// ------------------------------------------------------------------ preferences
export function NotificationPreferences() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['notification-preferences'], queryFn: () => get<Preferences>('/v1/notification-preferences') });
  const [form, setForm] = useState<PrefsForm | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  useEffect(() => {
    if (q.data && !form) setForm(formFromApi(q.data, browserTimeZone()));
  }, [q.data, form]);
  const save = useMutation({
    mutationFn: (f: PrefsForm) => put<Preferences>('/v1/notification-preferences', requestFromForm(f)),
    onSuccess: (p) => {
      qc.setQueryData(['notification-preferences'], p);
      setForm(formFromApi(p, browserTimeZone()));
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!form) return;
    const errs = validatePrefs(form);
    setErrors(errs);
    if (Object.keys(errs).length === 0) save.mutate(form);
  };
  const set = (patch: Partial<PrefsForm>) => {
    save.reset();
    setForm((f) => (f ? { ...f, ...patch } : f));
  };
  return (
    <section>
      <h1>Notification preferences</h1>
      <p>
        <Link to="/notifications">Back to notifications</Link>
      </p>
      <QueryState q={q} what="Loading your preferences">
        {() =>
          form && (
            <form onSubmit={submit} noValidate>
              <div className="table-wrap">
                <table className="prefs">
                  <caption>What reaches you, and how</caption>
                  <thead>
                    <tr>
                      <th scope="col">Category</th>
                      {CHANNELS.map((ch) => (
                        <th scope="col" key={ch}>
                          {CHANNEL_NAMES[ch]}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {CATEGORIES.map((c) => (
                      <tr key={c}>
                        <th scope="row">{CATEGORY_NAMES[c]}</th>
                        {CHANNELS.map((ch) => (
                          <td key={ch}>
                            <input
                              type="checkbox"
                              aria-label={`${CATEGORY_NAMES[c]}: ${CHANNEL_NAMES[ch]}`}
                              checked={form.channels[c][ch]}
                              onChange={(e) => set({ channels: { ...form.channels, [c]: { ...form.channels[c], [ch]: e.target.checked } } })}
                            />
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <p className="hint">Account and security messages (sign-in codes, password changes) always arrive.</p>
              <fieldset>
                <legend>Quiet hours</legend>
                <p className="hint">Email and SMS wait until quiet hours end; urgent reminders still come by SMS. In-app notifications always arrive.</p>
                <label className="check">
                  <input type="checkbox" checked={form.quietOn} onChange={(e) => set({ quietOn: e.target.checked })} /> Hold messages during quiet hours
                </label>
                {form.quietOn && (
                  <div className="filters">
                    <Field label="From (24-hour, HH:MM)" value={form.start} error={errors.start} inputMode="numeric" onChange={(e) => set({ start: e.target.value })} />
                    <Field label="Until (24-hour, HH:MM)" value={form.end} error={errors.end} inputMode="numeric" onChange={(e) => set({ end: e.target.value })} />
                    <Field label="Time zone (IANA)" value={form.timezone} error={errors.timezone} hint="For example Asia/Kolkata" onChange={(e) => set({ timezone: e.target.value })} />
                  </div>
                )}
                {form.quietOn && !errors.start && !errors.end && /^\d\d:\d\d$/.test(form.start) && /^\d\d:\d\d$/.test(form.end) && (
                  <p className="muted">
                    {Math.floor(quietMinutes(form.start, form.end) / 60)} h {quietMinutes(form.start, form.end) % 60} min of quiet every day.
                  </p>
                )}
              </fieldset>
              <Select label="Language of emails and SMS" value={form.locale} error={errors.locale} onChange={(e) => set({ locale: e.target.value })}>
                {LOCALES.map((l) => (
                  <option key={l.code} value={l.code} lang={l.code}>
                    {l.name}
                  </option>
                ))}
              </Select>
              <ErrorBox error={save.error} shownFields={['quiet_hours.start_local', 'quiet_hours.end_local', 'quiet_hours.timezone']} />
              {save.isSuccess && <Notice>Preferences saved.</Notice>}
              <button type="submit" disabled={save.isPending}>
                {save.isPending ? 'Saving…' : 'Save preferences'}
              </button>
            </form>
          )
        }
      </QueryState>
    </section>
  );
}

// ------------------------------------------------------------------ failed deliveries (platform admin)
function FailedItem({ m, onRetried }: { m: Outbound; onRetried: (m: Outbound) => void }) {
  const qc = useQueryClient();
  const tz = browserTimeZone();
  const retry = useMutation({
    mutationFn: () => post<Outbound>(`/v1/admin/notifications/${m.id}/retry`),
    onSuccess: () => {
      onRetried(m);
      qc.invalidateQueries({ queryKey: ['failed-notifications'] });
    },
  });
  const last = (m.attempts ?? [])[(m.attempts ?? []).length - 1];
  return (
    <li className="card" data-testid="failed-notification">
      <h2>
        {m.template_name || m.event_type} · {label(m.channel)}
      </h2>
      <p className="muted">
        to {m.recipient || m.user_id} · {m.locale} · created {dateTimeLabel(m.created_at, tz)} · <span className="status">{label(m.status)}</span>
      </p>
      {last && (
        <p>
          Last attempt {last.attempt} {last.provider ? `via ${last.provider} ` : ''}at {dateTimeLabel(last.at, tz)}: {last.error || label(last.status)}
        </p>
      )}
      <ErrorBox error={retry.error} />
      <button type="button" onClick={() => retry.mutate()} disabled={retry.isPending || retry.isSuccess}>
        Retry
      </button>
    </li>
  );
}

export function FailedNotifications() {
  const q = usePaged<Outbound>(['failed-notifications'], '/v1/admin/notifications/failed', { limit: 30 });
  const [retried, setRetried] = useState<Outbound | null>(null);
  return (
    <section>
      <h1>Failed notifications</h1>
      <p className="muted">Messages whose every delivery attempt failed. Retry sends them again from the first attempt.</p>
      {retried && (
        <Notice>
          Queued again: {retried.template_name || retried.event_type} ({label(retried.channel)}) to {retried.recipient || retried.user_id}.
        </Notice>
      )}
      <QueryState q={q} what="Loading failed notifications">
        {(d) => ((d.items ?? []).length === 0 ? <p>No failed notifications.</p> : <ul className="cards">{(d.items ?? []).map((m) => <FailedItem key={m.id} m={m} onRetried={setRetried} />)}</ul>)}
      </QueryState>
      <LoadMore q={q} what="more" />
    </section>
  );
}
