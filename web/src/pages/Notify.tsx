import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post, put } from '../api/client';
import { LoadMore, usePaged } from '../api/paged';
import type { components } from '../api/schema';
import { ErrorBox, Field, Notice, QueryState, Select, label } from '../components/ui';
import { browserTimeZone, dateTimeLabel } from '../lib/time';
import { CATEGORIES, CHANNELS, LOCALES, formFromApi, quietMinutes, requestFromForm, validatePrefs, type Category, type Channel, type Preferences, type PrefsForm } from '../lib/prefs';
import { isLanguage, setLanguage } from '../i18n';

type Outbound = components['schemas']['healthtech_notification_v1_OutboundMessage'];


// ------------------------------------------------------------------ preferences
export function NotificationPreferences() {
  const { t } = useTranslation('notify');
  const channelName = (ch: Channel) => t(`channels.${ch}`);
  const categoryName = (c: Category) => t(`categories.${c}`);
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
      // The interface follows the saved language at once.
      if (isLanguage(p.locale)) void setLanguage(p.locale);
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
      <h1>{t('prefs.title')}</h1>
      <p>
        <Link to="/notifications">{t('prefs.back')}</Link>
      </p>
      <QueryState q={q} what={t('prefs.loading')}>
        {() =>
          form && (
            <form onSubmit={submit} noValidate>
              <div className="table-wrap">
                <table className="prefs">
                  <caption>{t('prefs.caption')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('prefs.category')}</th>
                      {CHANNELS.map((ch) => (
                        <th scope="col" key={ch}>
                          {channelName(ch)}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {CATEGORIES.map((c) => (
                      <tr key={c}>
                        <th scope="row">{categoryName(c)}</th>
                        {CHANNELS.map((ch) => (
                          <td key={ch}>
                            <input
                              type="checkbox"
                              aria-label={t('prefs.cell', { category: categoryName(c), channel: channelName(ch) })}
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
              <p className="hint">{t('prefs.alwaysArrive')}</p>
              <fieldset>
                <legend>{t('prefs.quietHours')}</legend>
                <p className="hint">{t('prefs.quietHint')}</p>
                <label className="check">
                  <input type="checkbox" checked={form.quietOn} onChange={(e) => set({ quietOn: e.target.checked })} /> {t('prefs.hold')}
                </label>
                {form.quietOn && (
                  <div className="filters">
                    <Field label={t('prefs.from')} value={form.start} error={errors.start} inputMode="numeric" onChange={(e) => set({ start: e.target.value })} />
                    <Field label={t('prefs.until')} value={form.end} error={errors.end} inputMode="numeric" onChange={(e) => set({ end: e.target.value })} />
                    <Field label={t('prefs.timezone')} value={form.timezone} error={errors.timezone} hint={t('prefs.timezoneHint')} onChange={(e) => set({ timezone: e.target.value })} />
                  </div>
                )}
                {form.quietOn && !errors.start && !errors.end && /^\d\d:\d\d$/.test(form.start) && /^\d\d:\d\d$/.test(form.end) && (
                  <p className="muted">
                    {t('prefs.quietLength', { hours: Math.floor(quietMinutes(form.start, form.end) / 60), minutes: quietMinutes(form.start, form.end) % 60 })}
                  </p>
                )}
              </fieldset>
              <Select label={t('prefs.language')} value={form.locale} error={errors.locale} onChange={(e) => set({ locale: e.target.value })}>
                {LOCALES.map((l) => (
                  <option key={l.code} value={l.code} lang={l.code}>
                    {l.name}
                  </option>
                ))}
              </Select>
              <ErrorBox error={save.error} shownFields={['quiet_hours.start_local', 'quiet_hours.end_local', 'quiet_hours.timezone']} />
              {save.isSuccess && <Notice>{t('prefs.saved')}</Notice>}
              <button type="submit" disabled={save.isPending}>
                {save.isPending ? t('prefs.saving') : t('prefs.submit')}
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
  const { t } = useTranslation('notify');
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
        {t('failed.meta', { recipient: m.recipient || m.user_id, locale: m.locale, created: dateTimeLabel(m.created_at, tz) })} · <span className="status">{label(m.status)}</span>
      </p>
      {last && (
        <p>
          {last.provider
            ? t('failed.lastAttemptVia', { attempt: last.attempt, provider: last.provider, at: dateTimeLabel(last.at, tz), result: last.error || label(last.status) })
            : t('failed.lastAttempt', { attempt: last.attempt, at: dateTimeLabel(last.at, tz), result: last.error || label(last.status) })}
        </p>
      )}
      <ErrorBox error={retry.error} />
      <button type="button" onClick={() => retry.mutate()} disabled={retry.isPending || retry.isSuccess}>
        {t('failed.retry')}
      </button>
    </li>
  );
}

export function FailedNotifications() {
  const { t } = useTranslation('notify');
  const q = usePaged<Outbound>(['failed-notifications'], '/v1/admin/notifications/failed', { limit: 30 });
  const [retried, setRetried] = useState<Outbound | null>(null);
  return (
    <section>
      <h1>{t('failed.title')}</h1>
      <p className="muted">{t('failed.intro')}</p>
      {retried && (
        <Notice>
          {t('failed.queued', { what: retried.template_name || retried.event_type, channel: label(retried.channel), recipient: retried.recipient || retried.user_id })}
        </Notice>
      )}
      <QueryState q={q} what={t('failed.loading')}>
        {(d) => ((d.items ?? []).length === 0 ? <p>{t('failed.empty')}</p> : <ul className="cards">{(d.items ?? []).map((m) => <FailedItem key={m.id} m={m} onRetried={setRetried} />)}</ul>)}
      </QueryState>
      <LoadMore q={q} />
    </section>
  );
}
