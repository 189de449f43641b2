import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { get, put } from '../api/client';
import { useClaims } from '../auth/session';
import { isLanguage, setLanguage, type Language } from '../i18n';
import type { Preferences } from '../lib/prefs';

const PREFS_KEY = ['notification-preferences'];

/** The topbar's switch to the other language; signed in, the choice is saved to the account. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const claims = useClaims();
  const qc = useQueryClient();
  const other: Language = i18n.language === 'hi' ? 'en' : 'hi';
  return (
    <button
      type="button"
      className="link"
      lang={other}
      title={t('language.switchToLabel')}
      data-testid="language-switch"
      onClick={async () => {
        await setLanguage(other);
        if (!claims) return;
        try {
          qc.setQueryData(PREFS_KEY, await put<Preferences>('/v1/notification-preferences', { locale: other }));
        } catch {
          /* kept in this browser; saved to the account the next time */
        }
      }}
    >
      {t('language.switchTo')}
    </button>
  );
}

/** Signed in, the interface follows the language saved in the person's preferences. */
export function useLanguageFromPreferences(): void {
  const claims = useClaims();
  const { i18n } = useTranslation();
  const q = useQuery({
    queryKey: PREFS_KEY,
    queryFn: () => get<Preferences>('/v1/notification-preferences'),
    enabled: !!claims,
    staleTime: Infinity,
  });
  const saved = q.data?.locale;
  useEffect(() => {
    if (claims && isLanguage(saved) && saved !== i18n.language) void setLanguage(saved);
    // Only when the saved value changes: a switch made here updates it first.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [saved, claims?.sub]);
}
