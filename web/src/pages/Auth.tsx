import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError, post } from '../api/client';
import { tokens } from '../auth/tokens';
import { homeFor } from '../lib/roles';
import { ErrorBox, Field, Notice } from '../components/ui';
import { checkEmail, checkPassword, checkSignUp, checkTotp, validate, type FieldErrors } from '../lib/validation';

interface LoginResponse {
  access_token?: string;
  refresh_token?: string;
  mfa_required?: boolean;
  mfa_token?: string;
}

/** Submit state shared by the forms: busy flag, API error, field errors (client + API). */
function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [fields, setFields] = useState<FieldErrors>({});
  async function run(local: FieldErrors, f: () => Promise<void>) {
    setFields(local);
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await f();
    } catch (e) {
      setError(e);
      if (e instanceof ApiError) setFields(e.fieldErrors());
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, fields, run };
}

/** A return path carried through sign-up and sign-in ("?next=/invitations/accept?..."). */
function withNext(path: string, next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? `${path}?next=${encodeURIComponent(next)}` : path;
}

export function SignUp() {
  const [params] = useSearchParams();
  const next = params.get('next');
  const [f, setF] = useState({ full_name: '', email: '', password: '', confirm: '', phone: '' });
  const [done, setDone] = useState(false);
  const s = useSubmit();
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement>) => setF({ ...f, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    s.run(checkSignUp(f), async () => {
      await post('/v1/auth/register', {
        email: f.email.trim(),
        password: f.password,
        full_name: f.full_name.trim(),
        ...(f.phone.trim() ? { phone: f.phone.trim() } : {}),
      }, { anonymous: true });
      setDone(true);
    });
  };
  if (done)
    return (
      <section>
        <h1>Check your email</h1>
        <Notice>
          We sent a link to <strong>{f.email}</strong>. Open it to confirm your address, then{' '}
          <Link to={withNext('/signin', next)}>sign in</Link>
          {next ? ' to continue where you were.' : '.'}
        </Notice>
      </section>
    );
  return (
    <section className="narrow">
      <h1>Create your account</h1>
      <form onSubmit={submit} noValidate>
        <ErrorBox error={s.error} shownFields={['email', 'password', 'full_name', 'phone']} />
        <Field label="Full name" autoComplete="name" value={f.full_name} onChange={set('full_name')} error={s.fields.full_name} required />
        <Field label="Email" type="email" autoComplete="email" value={f.email} onChange={set('email')} error={s.fields.email} required />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          hint="At least 10 characters; a phrase of a few words is easy to remember."
          value={f.password}
          onChange={set('password')}
          error={s.fields.password}
          required
        />
        <Field label="Repeat the password" type="password" autoComplete="new-password" value={f.confirm} onChange={set('confirm')} error={s.fields.confirm} required />
        <Field label="Mobile number (optional)" type="tel" autoComplete="tel" placeholder="+919812345678" value={f.phone} onChange={set('phone')} error={s.fields.phone} />
        <button type="submit" disabled={s.busy}>
          {s.busy ? 'Creating…' : 'Create account'}
        </button>
      </form>
      <p>
        Already registered? <Link to={withNext('/signin', next)}>Sign in</Link>
      </p>
    </section>
  );
}

export function VerifyEmail() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [state, setState] = useState<'working' | 'done' | unknown>('working');
  const once = useRef(false);
  useEffect(() => {
    if (once.current) return;
    once.current = true;
    post('/v1/auth/verify-email', { token }, { anonymous: true })
      .then(() => setState('done'))
      .catch((e) => setState(e));
  }, [token]);
  return (
    <section className="narrow">
      <h1>Confirm your email</h1>
      {state === 'working' && <p role="status">Confirming…</p>}
      {state === 'done' && (
        <Notice>
          Your email address is confirmed. <Link to="/signin">Sign in</Link>
        </Notice>
      )}
      {state !== 'working' && state !== 'done' && <ErrorBox error={state} />}
    </section>
  );
}

export function SignIn() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = params.get('next') || '';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [useRecovery, setUseRecovery] = useState(false);
  const s = useSubmit();

  const finish = (r: LoginResponse) => {
    tokens.set(r.access_token!);
    // Back where they were going, or to their role's home.
    navigate(next.startsWith('/') && !next.startsWith('//') ? next : homeFor(tokens.claims()), { replace: true });
  };
  const submitPassword = (e: FormEvent) => {
    e.preventDefault();
    s.run(validate({ email: checkEmail(email), password: password ? undefined : 'Enter your password.' }), async () => {
      const r = await post<LoginResponse>('/v1/auth/login', { email: email.trim(), password }, { anonymous: true });
      if (r.mfa_required) setMfaToken(r.mfa_token!);
      else finish(r);
    });
  };
  const submitCode = (e: FormEvent) => {
    e.preventDefault();
    const local = useRecovery ? validate({ code: code.trim() ? undefined : 'Enter a recovery code.' }) : validate({ code: checkTotp(code) });
    s.run(local, async () => {
      const body = useRecovery ? { mfa_token: mfaToken, recovery_code: code.trim() } : { mfa_token: mfaToken, code: code.trim() };
      finish(await post<LoginResponse>('/v1/auth/mfa/verify', body, { anonymous: true }));
    });
  };
  if (mfaToken)
    return (
      <section className="narrow">
        <h1>Two-step sign-in</h1>
        <form onSubmit={submitCode} noValidate>
          <ErrorBox error={s.error} shownFields={['code', 'recovery_code']} />
          <Field
            label={useRecovery ? 'Recovery code' : 'Code from your authenticator app'}
            inputMode={useRecovery ? 'text' : 'numeric'}
            autoComplete="one-time-code"
            autoFocus
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={s.fields.code || s.fields.recovery_code}
          />
          <button type="submit" disabled={s.busy}>
            Verify
          </button>{' '}
          <button type="button" className="link" onClick={() => setUseRecovery(!useRecovery)}>
            {useRecovery ? 'Use the authenticator code' : 'Use a recovery code instead'}
          </button>
        </form>
      </section>
    );
  return (
    <section className="narrow">
      <h1>Sign in</h1>
      {params.get('expired') && <Notice>Your session ended. Please sign in again.</Notice>}
      {next.startsWith('/invitations/') && (
        <Notice>
          You were invited to join an organization on HealthTech. Sign in to accept — or create an account first with the email address the
          invitation was sent to.
        </Notice>
      )}
      <form onSubmit={submitPassword} noValidate>
        <ErrorBox error={s.error} shownFields={['email', 'password']} />
        <Field label="Email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={s.fields.email} required />
        <Field label="Password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={s.fields.password} required />
        <button type="submit" disabled={s.busy}>
          {s.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link> · <Link to={withNext('/signup', next || null)}>Create an account</Link>
      </p>
    </section>
  );
}

export function ForgotPassword() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const s = useSubmit();
  return (
    <section className="narrow">
      <h1>Reset your password</h1>
      {sent ? (
        <Notice>If an account uses {email}, a reset link is on its way.</Notice>
      ) : (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            s.run(validate({ email: checkEmail(email) }), async () => {
              await post('/v1/auth/password/forgot', { email: email.trim() }, { anonymous: true });
              setSent(true);
            });
          }}
        >
          <ErrorBox error={s.error} shownFields={['email']} />
          <Field label="Email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={s.fields.email} />
          <button type="submit" disabled={s.busy}>
            Send the link
          </button>
        </form>
      )}
    </section>
  );
}

export function ResetPassword() {
  const [params] = useSearchParams();
  const [pw, setPw] = useState('');
  const [done, setDone] = useState(false);
  const s = useSubmit();
  return (
    <section className="narrow">
      <h1>Choose a new password</h1>
      {done ? (
        <Notice>
          Your password is changed and your other sessions are signed out. <Link to="/signin">Sign in</Link>
        </Notice>
      ) : (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            s.run(validate({ new_password: checkPassword(pw) }), async () => {
              await post('/v1/auth/password/reset', { token: params.get('token') ?? '', new_password: pw }, { anonymous: true });
              setDone(true);
            });
          }}
        >
          <ErrorBox error={s.error} shownFields={['new_password']} />
          <Field label="New password" type="password" autoComplete="new-password" value={pw} onChange={(e) => setPw(e.target.value)} error={s.fields.new_password} />
          <button type="submit" disabled={s.busy}>
            Save
          </button>
        </form>
      )}
    </section>
  );
}

export { useSubmit };
