import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
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
        s.run(validate({ full_name: checkRequired(name, 'your full name'), phone: checkPhone(phone) }), async () => {
          await patch('/v1/me', { full_name: name.trim(), phone: phone.trim(), date_of_birth: birth });
          await qc.invalidateQueries({ queryKey: ['me'] });
          setSaved(true);
        });
      }}
    >
      <h2 id="profile-h">Profile</h2>
      <p>
        Email: <strong>{me.email}</strong> {me.email_verified ? '(confirmed)' : '(not confirmed)'}
      </p>
      <ErrorBox error={s.error} shownFields={['full_name', 'phone', 'date_of_birth']} />
      <Field label="Full name" value={name} onChange={(e) => setName(e.target.value)} error={s.fields.full_name} autoComplete="name" />
      <Field label="Mobile number" type="tel" value={phone} onChange={(e) => setPhone(e.target.value)} error={s.fields.phone} autoComplete="tel" />
      <Field
        label="Date of birth (optional)"
        hint="Your practitioners and their clinic see your age."
        type="date"
        max={new Date().toISOString().slice(0, 10)}
        value={birth}
        onChange={(e) => setBirth(e.target.value)}
        error={s.fields.date_of_birth}
        autoComplete="bday"
      />
      <button type="submit" disabled={s.busy}>
        Save profile
      </button>
      {saved && <Notice>Saved.</Notice>}
    </form>
  );
}

function ChangePassword() {
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
        s.run(validate({ current_password: cur ? undefined : 'Enter your current password.', new_password: checkPassword(next) }), async () => {
          await post('/v1/me/password', { current_password: cur, new_password: next });
          setDone(true);
        });
      }}
    >
      <h2 id="pw-h">Password</h2>
      <ErrorBox error={s.error} shownFields={['current_password', 'new_password']} />
      <Field label="Current password" type="password" autoComplete="current-password" value={cur} onChange={(e) => setCur(e.target.value)} error={s.fields.current_password} />
      <Field label="New password" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} error={s.fields.new_password} />
      <button type="submit" disabled={s.busy}>
        Change password
      </button>
      {done && <Notice>Password changed.</Notice>}
    </form>
  );
}

/** TOTP enrolment: the otpauth URI as a QR code (and the secret to type), then a code. */
function Mfa({ me }: { me: Me }) {
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
        <h2 id="mfa-h">Two-step sign-in is on</h2>
        <p>Keep these recovery codes somewhere safe. Each works once if you lose your phone; they are not shown again.</p>
        <ul className="codes" data-testid="recovery-codes">
          {recovery.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
        <button type="button" onClick={() => setRecovery(null)}>
          I saved them
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
        <h2 id="mfa-h">Two-step sign-in</h2>
        <p>On: signing in asks for a code from your authenticator app.</p>
        <ErrorBox error={s.error} shownFields={['code']} />
        <Field label="Current code (to turn it off)" inputMode="numeric" value={code} onChange={(e) => setCode(e.target.value)} error={s.fields.code} />
        <button type="submit" className="secondary" disabled={s.busy}>
          Turn off
        </button>
      </form>
    );
  return (
    <section aria-labelledby="mfa-h">
      <h2 id="mfa-h">Two-step sign-in</h2>
      {!enrol ? (
        <>
          <p>Protect your account with a code from an authenticator app.</p>
          <ErrorBox error={s.error} />
          <button type="button" disabled={s.busy} onClick={() => s.run({}, async () => setEnrol(await post('/v1/auth/mfa/totp/enroll')))}>
            Set up two-step sign-in
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
          <p>Scan this code with your authenticator app, or type the key.</p>
          {qr && <img src={qr} width={220} height={220} alt="QR code for your authenticator app" />}
          <p>
            Key: <code data-testid="totp-secret">{enrol.secret}</code>
          </p>
          <ErrorBox error={s.error} shownFields={['code']} />
          <Field label="Code from the app" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} error={s.fields.code} />
          <button type="submit" disabled={s.busy}>
            Turn on
          </button>
        </form>
      )}
    </section>
  );
}

export function AccountPage() {
  const q = useQuery({ queryKey: ['me'], queryFn: () => get<Me>('/v1/me') });
  const navigate = useNavigate();
  const qc = useQueryClient();
  return (
    <section>
      <h1>Your account</h1>
      <QueryState q={q} what="Loading your profile">
        {(me) => (
          <div className="stack">
            <Profile me={me} />
            <Mfa me={me} />
            <ChangePassword />
            <section aria-labelledby="so-h">
              <h2 id="so-h">Sessions</h2>
              <button
                type="button"
                className="secondary"
                onClick={async () => {
                  await signOut(true);
                  qc.clear();
                  navigate('/signin');
                }}
              >
                Sign out everywhere
              </button>
            </section>
          </div>
        )}
      </QueryState>
    </section>
  );
}
