// The interface's words in English and Hindi (i18next), one file per screen group, fetched
// with its screens (the shell's words ship in the main bundle). The choice is kept in this browser
// and, for a signed-in person, in their notification preferences (the same `locale` the
// platform's emails and SMS use), so it follows them to other devices.
import i18n, { type BackendModule, type ResourceKey } from 'i18next';
import { initReactI18next } from 'react-i18next';

export const LANGUAGES = ['en', 'hi'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'healthtech.language';

// Bundled: the words of the shell, of plain functions (lib) and of errors. Every other
// namespace (one per screen group) is fetched with its screens, in either language.
const bundled = import.meta.glob<ResourceKey>(['../locales/en/common.json', '../locales/en/lib.json', '../locales/en/errors.json'], {
  eager: true,
  import: 'default',
});
const fetched = import.meta.glob<ResourceKey>(
  ['../locales/*/*.json', '!../locales/en/common.json', '!../locales/en/lib.json', '!../locales/en/errors.json'],
  { import: 'default' },
);
const nsOf = (path: string) => path.replace(/^.*\/(\w+)\.json$/, '$1');

export const BUNDLED_NAMESPACES = Object.keys(bundled).map(nsOf);
const enResources = Object.fromEntries(Object.entries(bundled).map(([p, r]) => [nsOf(p), r]));

const fetchLocale: BackendModule = {
  type: 'backend',
  init() {},
  read(language, namespace, callback) {
    const load = fetched[`../locales/${language}/${namespace}.json`];
    if (!load) return callback(null, {});
    load().then(
      (r) => callback(null, r),
      (e: Error) => callback(e, null),
    );
  },
};

export function isLanguage(v: unknown): v is Language {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}

function savedLanguage(): Language {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (isLanguage(v)) return v;
  } catch {
    /* storage may be unavailable */
  }
  return 'en';
}

void i18n
  .use(fetchLocale)
  .use(initReactI18next)
  .init({
    resources: { en: enResources },
    partialBundledLanguages: true,
    lng: 'en',
    fallbackLng: 'en',
    supportedLngs: LANGUAGES,
    ns: BUNDLED_NAMESPACES,
    defaultNS: 'common',
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
    initAsync: false,
    react: { useSuspense: true },
  });

/** The BCP 47 locale `Intl` formats with for the interface language. */
export function intlLocale(language: string = i18n.language): string {
  return language === 'hi' ? 'hi-IN' : 'en-IN';
}

/** Switches the interface (fetching Hindi the first time) and remembers the choice here. */
export async function setLanguage(language: Language): Promise<void> {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    /* the choice then lasts for this page only */
  }
  await i18n.changeLanguage(language);
  document.documentElement.lang = language;
}

/** At start: the language this browser last used (before the first paint, so no flash). */
export function restoreLanguage(): Promise<void> {
  const language = savedLanguage();
  document.documentElement.lang = language;
  return language === 'en' ? Promise.resolve() : setLanguage(language);
}

export default i18n;
