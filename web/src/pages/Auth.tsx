import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { Trans, useTranslation } from 'react-i18next';
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
  const { t } = useTranslation('auth');
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
        <h1>{t('signUp.checkEmail')}</h1>
        <Notice>
          <Trans
            t={t}
            i18nKey={next ? 'signUp.sentNext' : 'signUp.sent'}
            values={{ email: f.email }}
            components={{ strong: <strong />, signin: <Link to={withNext('/signin', next)} /> }}
          />
        </Notice>
      </section>
    );
  return (
    <section className="narrow">
      <h1>{t('signUp.title')}</h1>
      <form onSubmit={submit} noValidate>
        <ErrorBox error={s.error} shownFields={['email', 'password', 'full_name', 'phone']} />
        <Field label={t('signUp.fullName')} autoComplete="name" value={f.full_name} onChange={set('full_name')} error={s.fields.full_name} required />
        <Field label={t('signUp.email')} type="email" autoComplete="email" value={f.email} onChange={set('email')} error={s.fields.email} required />
        <Field
          label={t('signUp.password')}
          type="password"
          autoComplete="new-password"
          hint={t('signUp.passwordHint')}
          value={f.password}
          onChange={set('password')}
          error={s.fields.password}
          required
        />
        <Field label={t('signUp.confirm')} type="password" autoComplete="new-password" value={f.confirm} onChange={set('confirm')} error={s.fields.confirm} required />
        <Field label={t('signUp.phone')} type="tel" autoComplete="tel" placeholder="+919812345678" value={f.phone} onChange={set('phone')} error={s.fields.phone} />
        <button type="submit" disabled={s.busy}>
          {s.busy ? t('signUp.busy') : t('signUp.submit')}
        </button>
      </form>
      <p>
        {t('signUp.already')} <Link to={withNext('/signin', next)}>{t('signUp.signIn')}</Link>
      </p>
    </section>
  );
}

export function VerifyEmail() {
  const { t } = useTranslation('auth');
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
      <h1>{t('verifyEmail.title')}</h1>
      {state === 'working' && <p role="status">{t('verifyEmail.working')}</p>}
      {state === 'done' && (
        <Notice>
          {t('verifyEmail.done')} <Link to="/signin">{t('verifyEmail.signIn')}</Link>
        </Notice>
      )}
      {state !== 'working' && state !== 'done' && <ErrorBox error={state} />}
    </section>
  );
}

export function SignIn() {
  const { t } = useTranslation('auth');
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
    s.run(validate({ email: checkEmail(email), password: password ? undefined : t('signIn.enterPassword') }), async () => {
      const r = await post<LoginResponse>('/v1/auth/login', { email: email.trim(), password }, { anonymous: true });
      if (r.mfa_required) setMfaToken(r.mfa_token!);
      else finish(r);
    });
  };
  const submitCode = (e: FormEvent) => {
    e.preventDefault();
    const local = useRecovery ? validate({ code: code.trim() ? undefined : t('mfa.enterRecovery') }) : validate({ code: checkTotp(code) });
    s.run(local, async () => {
      const body = useRecovery ? { mfa_token: mfaToken, recovery_code: code.trim() } : { mfa_token: mfaToken, code: code.trim() };
      finish(await post<LoginResponse>('/v1/auth/mfa/verify', body, { anonymous: true }));
    });
  };
  if (mfaToken)
    return (
      <section className="narrow">
        <h1>{t('mfa.title')}</h1>
        <form onSubmit={submitCode} noValidate>
          <ErrorBox error={s.error} shownFields={['code', 'recovery_code']} />
          <Field
            label={useRecovery ? t('mfa.recoveryCode') : t('mfa.totpCode')}
            inputMode={useRecovery ? 'text' : 'numeric'}
            autoComplete="one-time-code"
            autoFocus
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={s.fields.code || s.fields.recovery_code}
          />
          <button type="submit" disabled={s.busy}>
            {t('mfa.verify')}
          </button>{' '}
          <button type="button" className="link" onClick={() => setUseRecovery(!useRecovery)}>
            {useRecovery ? t('mfa.useTotp') : t('mfa.useRecovery')}
          </button>
        </form>
      </section>
    );
  return (
    <section className="narrow">
      <h1>{t('signIn.title')}</h1>
      {params.get('expired') && <Notice>{t('signIn.expired')}</Notice>}
      {next.startsWith('/invitations/') && <Notice>{t('signIn.invited')}</Notice>}
      <form onSubmit={submitPassword} noValidate>
        <ErrorBox error={s.error} shownFields={['email', 'password']} />
        <Field label={t('signIn.email')} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={s.fields.email} required />
        <Field label={t('signIn.password')} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={s.fields.password} required />
        <button type="submit" disabled={s.busy}>
          {s.busy ? t('signIn.busy') : t('signIn.submit')}
        </button>
      </form>
      <p>
        <Link to="/forgot-password">{t('signIn.forgot')}</Link> · <Link to={withNext('/signup', next || null)}>{t('signIn.createAccount')}</Link>
      </p>
    </section>
  );
}

export function ForgotPassword() {
  const { t } = useTranslation('auth');
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const s = useSubmit();
  return (
    <section className="narrow">
      <h1>{t('forgot.title')}</h1>
      {sent ? (
        <Notice>{t('forgot.sent', { email })}</Notice>
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
          <Field label={t('forgot.email')} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={s.fields.email} />
          <button type="submit" disabled={s.busy}>
            {t('forgot.submit')}
          </button>
        </form>
      )}
    </section>
  );
}

export function ResetPassword() {
  const { t } = useTranslation('auth');
  const [params] = useSearchParams();
  const [pw, setPw] = useState('');
  const [done, setDone] = useState(false);
  const s = useSubmit();
  return (
    <section className="narrow">
      <h1>{t('reset.title')}</h1>
      {done ? (
        <Notice>
          {t('reset.done')} <Link to="/signin">{t('reset.signIn')}</Link>
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
          <Field label={t('reset.newPassword')} type="password" autoComplete="new-password" value={pw} onChange={(e) => setPw(e.target.value)} error={s.fields.new_password} />
          <button type="submit" disabled={s.busy}>
            {t('reset.submit')}
          </button>
        </form>
      )}
    </section>
  );
}

export { useSubmit };
