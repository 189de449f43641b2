import { useSyncExternalStore } from 'react';
import { tokens, type Claims } from './tokens';
import { post, refreshSession } from '../api/client';

export function useClaims(): Claims | null {
  return useSyncExternalStore(tokens.subscribe, tokens.claims, tokens.claims);
}

/** On start: a refresh token from this tab's session brings back the access token. */
export async function restoreSession(): Promise<void> {
  if (!tokens.access() && tokens.refresh()) await refreshSession();
}

export async function signOut(everywhere = false): Promise<void> {
  const rt = tokens.refresh();
  try {
    if (everywhere) await post('/v1/auth/logout-all');
    else if (rt) await post('/v1/auth/logout', { refresh_token: rt }, { anonymous: true });
  } catch {
    /* the session ends locally either way */
  }
  tokens.clear();
}
