import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { Link, NavLink, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { titleFor } from './lib/titles';
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
import { Loading } from './components/ui';

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
  return (
    <header className="topbar">
      <Link to="/" className="brand">
        HealthTech
      </Link>
      <nav aria-label="Main">
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
              {hasRole(claims, 'practitioner') && (
                <li>
                  <NavLink to="/practice/today">My day</NavLink>
                </li>
              )}
              <li>
                <NavLink to="/organizations">Organizations</NavLink>
              </li>
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
  return (
    <section>
      <h1>Care from verified providers</h1>
      <p>Find a doctor by specialty, city or language, see their free times in your time zone, book and pay.</p>
      <p>
        <Link className="button" to="/search">
          Find a doctor
        </Link>{' '}
        {!claims && (
          <Link className="button secondary" to="/signup">
            Create an account
          </Link>
        )}
      </p>
      <p>
        Run a clinic or hospital? <Link to="/organizations/new">Register your organization</Link>.
      </p>
    </section>
  );
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
