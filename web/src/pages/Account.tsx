import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import QRCode from 'qrcode';
import { get, patch, post, del } from '../api/client';
import { signOut } from '../auth/session';
import { ErrorBox, Field, Notice, QueryState } from '../components/ui';
import { checkPassword, checkPhone, checkRequired, checkTotp, validate } from '../lib/validation';
import { useSubmit } from './Auth';

interface Me {
  id?: string;
  email?: string;
  full_name?: string;
  phone?: string;
  date_of_birth?: string;
  email_verified?: boolean;
  mfa_enabled?: boolean;
  roles?: string[];
}

function Profile({ me }: { me: Me }) {
  const { t } = useTranslation('account');
  const qc = useQueryClient();
  const [name, setName] = useState(me.full_name ?? '');
  const [phone, setPhone] = useState(me.phone ?? '');
  const [birth, setBirth] = useState(me.date_of_birth ?? '');
  const [saved, setSaved] = useState(false);
  const s = useSubmit();
  return (
    <form
      noValidate
      aria-labelledby="profile-h"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        s.run(validate({ full_name: checkRequired(name, t('profile.fullNameRequired')), phone: checkPhone(phone) }), async () => {
          await patch('/v1/me', { full_name: name.trim(), phone: phone.trim(), date_of_birth: birth });
          await qc.invalidateQueries({ queryKey: ['me'] });
          setSaved(true);
        });
      }}
    >
      <h2 id="profile-h">{t('profile.title')}</h2>
      <p>
        {t('profile.email')} <strong>{me.email}</strong> {me.email_verified ? t('profile.confirmed') : t('profile.notConfirmed')}
      </p>
      <ErrorBox error={s.error} shownFields={['full_name', 'phone', 'date_of_birth']} />
      <Field label={t('profile.fullName')} value={name} onChange={(e) => setName(e.target.value)} error={s.fields.full_name} autoComplete="name" />
      <Field label={t('profile.phone')} type="tel" value={phone} onChange={(e) => setPhone(e.target.value)} error={s.fields.phone} autoComplete="tel" />
      <Field
        label={t('profile.birth')}
        hint={t('profile.birthHint')}
        type="date"
        max={new Date().toISOString().slice(0, 10)}
        value={birth}
        onChange={(e) => setBirth(e.target.value)}
        error={s.fields.date_of_birth}
        autoComplete="bday"
      />
      <button type="submit" disabled={s.busy}>
        {t('profile.submit')}
      </button>
      {saved && <Notice>{t('profile.saved')}</Notice>}
    </form>
  );
}

function ChangePassword() {
  const { t } = useTranslation('account');
  const [cur, setCur] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState(false);
  const s = useSubmit();
  return (
    <form
      noValidate
      aria-labelledby="pw-h"
      onSubmit={(e) => {
        e.preventDefault();
        s.run(validate({ current_password: cur ? undefined : t('password.enterCurrent'), new_password: checkPassword(next) }), async () => {
          await post('/v1/me/password', { current_password: cur, new_password: next });
          setDone(true);
        });
      }}
    >
      <h2 id="pw-h">{t('password.title')}</h2>
      <ErrorBox error={s.error} shownFields={['current_password', 'new_password']} />
      <Field label={t('password.current')} type="password" autoComplete="current-password" value={cur} onChange={(e) => setCur(e.target.value)} error={s.fields.current_password} />
      <Field label={t('password.new')} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} error={s.fields.new_password} />
      <button type="submit" disabled={s.busy}>
        {t('password.submit')}
      </button>
      {done && <Notice>{t('password.done')}</Notice>}
    </form>
  );
}

/** TOTP enrolment: the otpauth URI as a QR code (and the secret to type), then a code. */
function Mfa({ me }: { me: Me }) {
  const { t } = useTranslation('account');
  const qc = useQueryClient();
  const [enrol, setEnrol] = useState<{ secret: string; otpauth_uri: string } | null>(null);
  const [qr, setQr] = useState('');
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState<string[] | null>(null);
  const s = useSubmit();
  useEffect(() => {
    if (enrol) QRCode.toDataURL(enrol.otpauth_uri, { margin: 1, width: 220 }).then(setQr);
  }, [enrol]);
  if (recovery)
    return (
      <section aria-labelledby="mfa-h">
        <h2 id="mfa-h">{t('mfa.onTitle')}</h2>
        <p>{t('mfa.keepCodes')}</p>
        <ul className="codes" data-testid="recovery-codes">
          {recovery.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
        <button type="button" onClick={() => setRecovery(null)}>
          {t('mfa.savedCodes')}
        </button>
      </section>
    );
  if (me.mfa_enabled)
    return (
      <form
        aria-labelledby="mfa-h"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          s.run(validate({ code: checkTotp(code) }), async () => {
            await del('/v1/auth/mfa/totp', { code: code.trim() });
            setCode('');
            await qc.invalidateQueries({ queryKey: ['me'] });
          });
        }}
      >
        <h2 id="mfa-h">{t('mfa.title')}</h2>
        <p>{t('mfa.on')}</p>
        <ErrorBox error={s.error} shownFields={['code']} />
        <Field label={t('mfa.currentCode')} inputMode="numeric" value={code} onChange={(e) => setCode(e.target.value)} error={s.fields.code} />
        <button type="submit" className="secondary" disabled={s.busy}>
          {t('mfa.turnOff')}
        </button>
      </form>
    );
  return (
    <section aria-labelledby="mfa-h">
      <h2 id="mfa-h">{t('mfa.title')}</h2>
      {!enrol ? (
        <>
          <p>{t('mfa.protect')}</p>
          <ErrorBox error={s.error} />
          <button type="button" disabled={s.busy} onClick={() => s.run({}, async () => setEnrol(await post('/v1/auth/mfa/totp/enroll')))}>
            {t('mfa.setUp')}
          </button>
        </>
      ) : (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            s.run(validate({ code: checkTotp(code) }), async () => {
              const r = await post<{ recovery_codes: string[] }>('/v1/auth/mfa/totp/activate', { code: code.trim() });
              setRecovery(r.recovery_codes);
              setEnrol(null);
              setCode('');
              await qc.invalidateQueries({ queryKey: ['me'] });
            });
          }}
        >
          <p>{t('mfa.scan')}</p>
          {qr && <img src={qr} width={220} height={220} alt={t('mfa.qrAlt')} />}
          <p>
            {t('mfa.key')} <code data-testid="totp-secret">{enrol.secret}</code>
          </p>
          <ErrorBox error={s.error} shownFields={['code']} />
          <Field label={t('mfa.code')} inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} error={s.fields.code} />
          <button type="submit" disabled={s.busy}>
            {t('mfa.turnOn')}
          </button>
        </form>
      )}
    </section>
  );
}

export function AccountPage() {
  const { t } = useTranslation('account');
  const q = useQuery({ queryKey: ['me'], queryFn: () => get<Me>('/v1/me') });
  const navigate = useNavigate();
  const qc = useQueryClient();
  return (
    <section>
      <h1>{t('title')}</h1>
      <QueryState q={q} what={t('loading')}>
        {(me) => (
          <div className="stack">
            <Profile me={me} />
            <Mfa me={me} />
            <ChangePassword />
            <section aria-labelledby="so-h">
              <h2 id="so-h">{t('sessions.title')}</h2>
              <button
                type="button"
                className="secondary"
                onClick={async () => {
                  await signOut(true);
                  qc.clear();
                  navigate('/signin');
                }}
              >
                {t('sessions.signOutEverywhere')}
              </button>
            </section>
          </div>
        )}
      </QueryState>
    </section>
  );
}
