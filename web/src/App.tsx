import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { Link, NavLink, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { titleFor } from './lib/titles';
import { homeFor, worksForOrganization } from './lib/roles';
import { useQueryClient } from '@tanstack/react-query';
import { useClaims, signOut } from './auth/session';
import { hasRole } from './auth/tokens';
import { setSignedOutHandler } from './api/client';
import { dismissToast, useToasts, useUnreadCount } from './components/useUnread';
import * as Auth from './pages/Auth';
import * as Account from './pages/Account';
import * as Patient from './pages/Patient';
import * as Pract from './pages/Practitioner';
import * as Admin from './pages/Admin';
import * as Notify from './pages/Notify';
import * as Forum from './pages/Forum';
import { Field, Loading } from './components/ui';

// The organization screens carry the chart library: loaded when first opened.
const lazyOrg = (name: 'MyOrganizations' | 'RegisterOrganization' | 'OrganizationPage' | 'Dashboard' | 'FrontDesk' | 'AcceptInvitation') =>
  lazy(() => import('./pages/Org').then((m) => ({ default: m[name] })));
const Org = {
  MyOrganizations: lazyOrg('MyOrganizations'),
  RegisterOrganization: lazyOrg('RegisterOrganization'),
  OrganizationPage: lazyOrg('OrganizationPage'),
  Dashboard: lazyOrg('Dashboard'),
  FrontDesk: lazyOrg('FrontDesk'),
  AcceptInvitation: lazyOrg('AcceptInvitation'),
};

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
  // On a phone the links fold behind a Menu button; it closes again on every navigation.
  const [open, setOpen] = useState(false);
  const { pathname } = useLocation();
  useEffect(() => setOpen(false), [pathname]);
  return (
    <header className="topbar">
      <Link to={claims ? homeFor(claims) : '/'} className="brand">
        HealthTech
      </Link>
      <button type="button" className="menu-toggle" aria-expanded={open} aria-controls="main-nav" onClick={() => setOpen(!open)}>
        Menu{claims && unread > 0 ? ` (${unread})` : ''}
      </button>
      <nav aria-label="Main" id="main-nav" className={open ? 'open' : ''}>
        <ul>
          <li>
            <NavLink to="/search">Find a doctor</NavLink>
          </li>
          <li>
            <NavLink to="/forum">Forum</NavLink>
          </li>
          {claims && (
            <>
              <li>
                <NavLink to="/appointments">Appointments</NavLink>
              </li>
              <li>
                <NavLink to="/invoices">Invoices</NavLink>
              </li>
              <li>
                <NavLink to="/consultations">Consultations</NavLink>
              </li>
              {hasRole(claims, 'practitioner') && (
                <li>
                  <NavLink to="/practice/today">My day</NavLink>
                </li>
              )}
              {worksForOrganization(claims) && (
                <li>
                  <NavLink to="/organizations">Organizations</NavLink>
                </li>
              )}
              {hasRole(claims, 'platform_admin') && (
                <li>
                  <NavLink to="/admin/verifications">Verification queue</NavLink>
                </li>
              )}
              {(hasRole(claims, 'moderator') || hasRole(claims, 'platform_admin')) && (
                <li>
                  <NavLink to="/moderation">Moderation</NavLink>
                </li>
              )}
              {hasRole(claims, 'platform_admin') && (
                <li>
                  <NavLink to="/admin/notifications/failed">Failed notifications</NavLink>
                </li>
              )}
              <li>
                <NavLink to="/notifications" end aria-label={`Notifications, ${unread} unread`} data-live={live ? 'websocket' : 'polling'}>
                  Notifications{' '}
                  <span className="badge" data-testid="unread-badge" aria-hidden="true" hidden={unread === 0}>
                    {unread}
                  </span>
                </NavLink>
              </li>
              <li>
                <NavLink to="/account">Account</NavLink>
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
                  Sign out
                </button>
              </li>
            </>
          )}
          {!claims && (
            <>
              <li>
                <NavLink to="/signin">Sign in</NavLink>
              </li>
              <li>
                <NavLink to="/signup">Sign up</NavLink>
              </li>
            </>
          )}
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
  return (
    <section className="home">
      <div className="hero">
        <h1>Find a verified doctor. Book and pay in minutes.</h1>
        <p>
          Every clinic and hospital here is checked by HealthTech: registration papers, facilities and practitioners. See a doctor's free times in
          your own time zone, the fee before you book, and get reminded by email or SMS.
        </p>
        <form
          className="home-search"
          role="search"
          aria-label="Find a doctor"
          onSubmit={(e) => {
            e.preventDefault();
            const params = new URLSearchParams(Object.entries({ q: q.trim(), city: city.trim() }).filter(([, v]) => v));
            navigate(`/search${params.size ? `?${params}` : ''}`);
          }}
        >
          <Field label="Specialty, doctor or condition" type="search" placeholder="Cardiologist, Dr. Iyer, diabetes…" value={q} onChange={(e) => setQ(e.target.value)} />
          <Field label="City" placeholder="Bengaluru" value={city} onChange={(e) => setCity(e.target.value)} />
          <button type="submit">Search</button>
        </form>
      </div>
      <ul className="offers">
        <li>
          <h2>Verified providers</h2>
          <p>Organizations are reviewed before they appear; practitioners are listed only at verified facilities.</p>
        </li>
        <li>
          <h2>Clear fees</h2>
          <p>The fee you will pay — first visit or follow-up — and the cancellation cut-off are shown before you book.</p>
        </li>
        <li>
          <h2>In person or by video</h2>
          <p>Directions and the clinic's phone, or a video link, on every appointment; add it to your calendar.</p>
        </li>
        <li>
          <h2>Ask privately</h2>
          <p>Private consultations with your practitioner, and a moderated community forum.</p>
        </li>
      </ul>
      <p>
        {!claims && (
          <>
            <Link className="button secondary" to="/signup">
              Create an account
            </Link>{' '}
          </>
        )}
        Run a clinic or hospital? <Link to="/organizations/new">Register your organization</Link>.
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
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div className="toast" key={t.id} data-testid="toast">
          <strong>{t.link ? <Link to={t.link} onClick={() => dismissToast(t.id)}>{t.title}</Link> : t.title}</strong>
          {t.body && <p>{t.body}</p>}
          <button type="button" className="link" aria-label={`Dismiss: ${t.title}`} onClick={() => dismissToast(t.id)}>
            Dismiss
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
  useEffect(() => {
    document.title = titleFor(pathname);
  }, [pathname]);
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
        Skip to content
      </a>
      <Nav />
      {!online && (
        <p className="offline" role="status" data-testid="offline">
          You are offline. Nothing you do is sent until the connection is back; try again then.
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
          <Route path="*" element={<p>Page not found. <Link to="/">Home</Link></p>} />
        </Routes>
        </Suspense>
      </main>
    </>
  );
}
