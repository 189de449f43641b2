import { useSyncExternalStore } from 'react';
import { tokens, type Claims } from './tokens';
import { post, refreshSession } from '../api/client';

export function useClaims(): Claims | null {
  return useSyncExternalStore(tokens.subscribe, tokens.claims, tokens.claims);
}

/** On start: the session cookie (if any) brings back an access token. */
export async function restoreSession(): Promise<void> {
  if (!tokens.access() && tokens.hasSession()) await refreshSession();
}

export async function signOut(everywhere = false): Promise<void> {
  try {
    if (everywhere) await post('/v1/auth/logout-all');
    // The cookie names the session; the BFF clears it (after logout-all it is refused and cleared at the next refresh).
    await post('/v1/auth/logout', {}, { anonymous: true });
  } catch {
    /* the session ends locally either way */
  }
  tokens.clear();
}
