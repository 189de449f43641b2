import React, { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { Link, NavLink, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { titleFor } from './lib/titles';
import { homeFor, worksForOrganization } from './lib/roles';
import { useQueryClient } from '@tanstack/react-query';
import { useClaims, signOut } from './auth/session';
import { hasRole } from './auth/tokens';
import { setSignedOutHandler } from './api/client';
import { dismissToast, useToasts, useUnreadCount } from './components/useUnread';
import { Field, Loading } from './components/ui';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch, useLanguageFromPreferences } from './components/LanguageSwitch';

// Every screen group is its own chunk, fetched when first opened: the landing page needs
// none, a patient never downloads the clinic, practitioner or admin screens (nor the chart
// library), and a clinic's staff get theirs on first use.
type Module = Record<string, unknown>;
function screens<M extends Module>(load: () => Promise<M>, names: (keyof M & string)[]) {
  return Object.fromEntries(
    names.map((n) => [n, lazy(() => load().then((m) => ({ default: m[n] as React.ComponentType })))]),
  ) as { [K in keyof M]: React.LazyExoticComponent<React.ComponentType> };
}
const Auth = screens(() => import('./pages/Auth'), ['SignUp', 'VerifyEmail', 'SignIn', 'ForgotPassword', 'ResetPassword']);
const Account = screens(() => import('./pages/Account'), ['AccountPage']);
const Patient = screens(() => import('./pages/Patient'), [
  'Search',
  'PractitionerPage',
  'MyAppointments',
  'AppointmentPage',
  'PaymentPage',
  'Invoices',
  'Notifications',
]);
const Pract = screens(() => import('./pages/Practitioner'), ['ProfileEditor', 'AvailabilityEditor', 'Today']);
const Admin = screens(() => import('./pages/Admin'), ['VerificationQueue']);
const Notify = screens(() => import('./pages/Notify'), ['FailedNotifications', 'NotificationPreferences']);
const Forum = screens(() => import('./pages/Forum'), [
  'ForumHome',
  'NewThread',
  'ThreadView',
  'PrivateThreads',
  'PrivateThreadView',
  'ModerationQueue',
]);
const Org = screens(() => import('./pages/Org'), [
  'MyOrganizations',
  'RegisterOrganization',
  'OrganizationPage',
  'Dashboard',
  'FrontDesk',
  'AcceptInvitation',
]);

function RequireAuth({ children }: { children: ReactNode }) {
  const claims = useClaims();
  const loc = useLocation();
  if (!claims) return <Navigate to={`/signin?next=${encodeURIComponent(loc.pathname + loc.search)}`} replace />;
  return <>{children}</>;
}

function Nav() {
  const claims = useClaims();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { unread, live } = useUnreadCount();
  const { t } = useTranslation();
  // On a phone the links fold behind a Menu button; it closes again on every navigation.
  const [open, setOpen] = useState(false);
  const { pathname } = useLocation();
  useEffect(() => setOpen(false), [pathname]);
  return (
    <header className="topbar">
      <Link to={claims ? homeFor(claims) : '/'} className="brand">
        {t('brand')}
      </Link>
      <button type="button" className="menu-toggle" aria-expanded={open} aria-controls="main-nav" onClick={() => setOpen(!open)}>
        {claims && unread > 0 ? t('nav.menuUnread', { count: unread }) : t('nav.menu')}
      </button>
      <nav aria-label={t('nav.label')} id="main-nav" className={open ? 'open' : ''}>
        <ul>
          <li>
            <NavLink to="/search">{t('nav.search')}</NavLink>
          </li>
          <li>
            <NavLink to="/forum">{t('nav.forum')}</NavLink>
          </li>
          {claims && (
            <>
              <li>
                <NavLink to="/appointments">{t('nav.appointments')}</NavLink>
              </li>
              <li>
                <NavLink to="/invoices">{t('nav.invoices')}</NavLink>
              </li>
              <li>
                <NavLink to="/consultations">{t('nav.consultations')}</NavLink>
              </li>
              {hasRole(claims, 'practitioner') && (
                <li>
                  <NavLink to="/practice/today">{t('nav.myDay')}</NavLink>
                </li>
              )}
              {worksForOrganization(claims) && (
                <li>
                  <NavLink to="/organizations">{t('nav.organizations')}</NavLink>
                </li>
              )}
              {hasRole(claims, 'platform_admin') && (
                <li>
                  <NavLink to="/admin/verifications">{t('nav.verifications')}</NavLink>
                </li>
              )}
              {(hasRole(claims, 'moderator') || hasRole(claims, 'platform_admin')) && (
                <li>
                  <NavLink to="/moderation">{t('nav.moderation')}</NavLink>
                </li>
              )}
              {hasRole(claims, 'platform_admin') && (
                <li>
                  <NavLink to="/admin/notifications/failed">{t('nav.failedNotifications')}</NavLink>
                </li>
              )}
              <li>
                <NavLink to="/notifications" end aria-label={t('nav.notificationsLabel', { count: unread })} data-live={live ? 'websocket' : 'polling'}>
                  {t('nav.notifications')}{' '}
                  <span className="badge" data-testid="unread-badge" aria-hidden="true" hidden={unread === 0}>
                    {unread}
                  </span>
                </NavLink>
              </li>
              <li>
                <NavLink to="/account">{t('nav.account')}</NavLink>
              </li>
              <li>
                <button
                  type="button"
                  className="link"
                  onClick={async () => {
                    await signOut();
                    qc.clear();
                    navigate('/signin');
                  }}
                >
                  {t('nav.signOut')}
                </button>
              </li>
            </>
          )}
          {!claims && (
            <>
              <li>
                <NavLink to="/signin">{t('nav.signIn')}</NavLink>
              </li>
              <li>
                <NavLink to="/signup">{t('nav.signUp')}</NavLink>
              </li>
            </>
          )}
          <li>
            <LanguageSwitch />
          </li>
        </ul>
      </nav>
    </header>
  );
}

function Home() {
  const claims = useClaims();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const [city, setCity] = useState('');
  const { t } = useTranslation();
  return (
    <section className="home">
      <div className="hero">
        <h1>{t('landing.title')}</h1>
        <p>{t('landing.intro')}</p>
        <form
          className="home-search"
          role="search"
          aria-label={t('landing.searchLabel')}
          onSubmit={(e) => {
            e.preventDefault();
            const params = new URLSearchParams(Object.entries({ q: q.trim(), city: city.trim() }).filter(([, v]) => v));
            navigate(`/search${params.size ? `?${params}` : ''}`);
          }}
        >
          <Field label={t('landing.what')} type="search" placeholder={t('landing.whatPlaceholder')} value={q} onChange={(e) => setQ(e.target.value)} />
          <Field label={t('landing.city')} placeholder={t('landing.cityPlaceholder')} value={city} onChange={(e) => setCity(e.target.value)} />
          <button type="submit">{t('landing.submit')}</button>
        </form>
      </div>
      <ul className="offers">
        <li>
          <h2>{t('landing.verifiedTitle')}</h2>
          <p>{t('landing.verified')}</p>
        </li>
        <li>
          <h2>{t('landing.feesTitle')}</h2>
          <p>{t('landing.fees')}</p>
        </li>
        <li>
          <h2>{t('landing.modesTitle')}</h2>
          <p>{t('landing.modes')}</p>
        </li>
        <li>
          <h2>{t('landing.askTitle')}</h2>
          <p>{t('landing.ask')}</p>
        </li>
      </ul>
      <p>
        {!claims && (
          <>
            <Link className="button secondary" to="/signup">
              {t('landing.createAccount')}
            </Link>{' '}
          </>
        )}
        {t('landing.runClinic')} <Link to="/organizations/new">{t('landing.register')}</Link>
      </p>
    </section>
  );
}

/** Whether the browser is online, following its online/offline events. */
function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return online;
}

function Toasts() {
  const toasts = useToasts();
  const { t: tr } = useTranslation();
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div className="toast" key={t.id} data-testid="toast">
          <strong>{t.link ? <Link to={t.link} onClick={() => dismissToast(t.id)}>{t.title}</Link> : t.title}</strong>
          {t.body && <p>{t.body}</p>}
          <button type="button" className="link" aria-label={tr('dismissLabel', { title: t.title })} onClick={() => dismissToast(t.id)}>
            {tr('dismiss')}
          </button>
        </div>
      ))}
    </div>
  );
}

export function App() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { pathname } = useLocation();
  const { t, i18n } = useTranslation();
  useEffect(() => {
    document.title = titleFor(pathname);
  }, [pathname, i18n.language]);
  useLanguageFromPreferences();
  const online = useOnline();
  useEffect(() => {
    setSignedOutHandler(() => {
      qc.clear();
      navigate('/signin?expired=1');
    });
  }, [navigate, qc]);
  const a = (el: ReactNode) => <RequireAuth>{el}</RequireAuth>;
  return (
    <>
      <a className="skip" href="#main">
        {t('skip')}
      </a>
      <Nav />
      {!online && (
        <p className="offline" role="status" data-testid="offline">
          {t('offline')}
        </p>
      )}
      <Toasts />
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/signup" element={<Auth.SignUp />} />
          <Route path="/verify-email" element={<Auth.VerifyEmail />} />
          <Route path="/signin" element={<Auth.SignIn />} />
          <Route path="/forgot-password" element={<Auth.ForgotPassword />} />
          <Route path="/reset-password" element={<Auth.ResetPassword />} />
          <Route path="/account" element={a(<Account.AccountPage />)} />
          <Route path="/search" element={<Patient.Search />} />
          <Route path="/practitioners/:id" element={<Patient.PractitionerPage />} />
          <Route path="/appointments" element={a(<Patient.MyAppointments />)} />
          <Route path="/appointments/:id" element={a(<Patient.AppointmentPage />)} />
          <Route path="/payments/:id" element={a(<Patient.PaymentPage />)} />
          <Route path="/invoices" element={a(<Patient.Invoices />)} />
          <Route path="/notifications" element={a(<Patient.Notifications />)} />
          <Route path="/practice/profile" element={a(<Pract.ProfileEditor />)} />
          <Route path="/practice/availability" element={a(<Pract.AvailabilityEditor />)} />
          <Route path="/practice/today" element={a(<Pract.Today />)} />
          <Route path="/organizations" element={a(<Org.MyOrganizations />)} />
          <Route path="/organizations/new" element={a(<Org.RegisterOrganization />)} />
          <Route path="/organizations/:id" element={a(<Org.OrganizationPage />)} />
          <Route path="/organizations/:id/dashboard" element={a(<Org.Dashboard />)} />
          <Route path="/organizations/:id/front-desk" element={a(<Org.FrontDesk />)} />
          <Route path="/invitations/accept" element={a(<Org.AcceptInvitation />)} />
          <Route path="/admin/verifications" element={a(<Admin.VerificationQueue />)} />
          <Route path="/admin/notifications/failed" element={a(<Notify.FailedNotifications />)} />
          <Route path="/notifications/preferences" element={a(<Notify.NotificationPreferences />)} />
          <Route path="/forum" element={<Forum.ForumHome />} />
          <Route path="/forum/new" element={a(<Forum.NewThread />)} />
          <Route path="/forum/threads/:id" element={<Forum.ThreadView />} />
          <Route path="/consultations" element={a(<Forum.PrivateThreads />)} />
          <Route path="/consultations/:id" element={a(<Forum.PrivateThreadView />)} />
          <Route path="/moderation" element={a(<Forum.ModerationQueue />)} />
          <Route path="*" element={<p>{t('notFound')} <Link to="/">{t('home')}</Link></p>} />
        </Routes>
        </Suspense>
      </main>
    </>
  );
}
