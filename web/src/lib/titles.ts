// The browser tab names the page (screen readers announce it on navigation too).
const TITLES: [RegExp, string][] = [
  [/^\/$/, 'Find a doctor, book and pay'],
  [/^\/signin/, 'Sign in'],
  [/^\/signup/, 'Create an account'],
  [/^\/search/, 'Find a doctor'],
  [/^\/practitioners\//, 'Doctor'],
  [/^\/appointments\/[^/]+/, 'Appointment'],
  [/^\/appointments/, 'My appointments'],
  [/^\/payments\//, 'Payment'],
  [/^\/invoices/, 'Invoices'],
  [/^\/notifications\/preferences/, 'Notification preferences'],
  [/^\/notifications/, 'Notifications'],
  [/^\/account/, 'Account'],
  [/^\/practice\/today/, "Today's schedule"],
  [/^\/practice\/profile/, 'Profile'],
  [/^\/practice\/availability/, 'Availability'],
  [/^\/organizations\/new/, 'Register an organization'],
  [/^\/organizations\/[^/]+\/front-desk/, 'Front desk'],
  [/^\/organizations\/[^/]+\/dashboard/, 'Dashboard'],
  [/^\/organizations/, 'Organizations'],
  [/^\/admin\/verifications/, 'Verification queue'],
  [/^\/admin\/notifications/, 'Failed notifications'],
  [/^\/forum/, 'Forum'],
  [/^\/consultations/, 'Consultations'],
  [/^\/moderation/, 'Moderation'],
];

export function titleFor(pathname: string): string {
  const hit = TITLES.find(([re]) => re.test(pathname));
  return hit ? `${hit[1]} · HealthTech` : 'HealthTech';
}
