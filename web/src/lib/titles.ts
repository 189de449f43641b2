// The browser tab names the page (screen readers announce it on navigation too), in the
// interface language.
import i18n from '../i18n';
import type lib from '../locales/en/lib.json';

type TitleKey = keyof (typeof lib)['titles'];

const TITLES: [RegExp, TitleKey][] = [
  [/^\/$/, 'home'],
  [/^\/signin/, 'signIn'],
  [/^\/signup/, 'signUp'],
  [/^\/search/, 'search'],
  [/^\/practitioners\//, 'practitioner'],
  [/^\/appointments\/[^/]+/, 'appointment'],
  [/^\/appointments/, 'appointments'],
  [/^\/payments\//, 'payment'],
  [/^\/invoices/, 'invoices'],
  [/^\/notifications\/preferences/, 'notificationPreferences'],
  [/^\/notifications/, 'notifications'],
  [/^\/account/, 'account'],
  [/^\/practice\/today/, 'practiceToday'],
  [/^\/practice\/profile/, 'practiceProfile'],
  [/^\/practice\/availability/, 'practiceAvailability'],
  [/^\/organizations\/new/, 'newOrganization'],
  [/^\/organizations\/[^/]+\/front-desk/, 'frontDesk'],
  [/^\/organizations\/[^/]+\/dashboard/, 'dashboard'],
  [/^\/organizations/, 'organizations'],
  [/^\/admin\/verifications/, 'verifications'],
  [/^\/admin\/notifications/, 'failedNotifications'],
  [/^\/forum/, 'forum'],
  [/^\/consultations/, 'consultations'],
  [/^\/moderation/, 'moderation'],
];

export function titleFor(pathname: string): string {
  const hit = TITLES.find(([re]) => re.test(pathname));
  return hit ? `${i18n.t(`lib:titles.${hit[1]}`)} · HealthTech` : 'HealthTech';
}
