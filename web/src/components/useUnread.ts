import { useEffect, useState, useSyncExternalStore } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { get, refreshSession } from '../api/client';
import { tokens } from '../auth/tokens';
import { useClaims } from '../auth/session';
import { connectLive } from '../lib/live';
import { wsUrl } from '../config';

interface Inbox {
  unread_count?: number;
}

// In-app toasts for notifications pushed over the WebSocket.
export interface Toast {
  id: string;
  title: string;
  body?: string;
  link?: string;
}
let toasts: Toast[] = [];
const toastListeners = new Set<() => void>();
function setToasts(next: Toast[]) {
  toasts = next;
  toastListeners.forEach((l) => l());
}
export function dismissToast(id: string) {
  setToasts(toasts.filter((t) => t.id !== id));
}
export function useToasts(): Toast[] {
  return useSyncExternalStore(
    (l) => {
      toastListeners.add(l);
      return () => toastListeners.delete(l);
    },
    () => toasts,
    () => toasts,
  );
}

/** A fresh access token for the socket: the current one when it has 2+ minutes left,
 * unless the server revoked it (`force`). */
async function renewToken(force = false): Promise<string | null> {
  if (!force && tokens.claims() && tokens.localExpiry() - Date.now() > 120_000) return tokens.access();
  return (await refreshSession()) ? tokens.access() : null;
}

/** The unread count for the badge, kept live over the WebSocket (polling as fallback). */
export function useUnreadCount(): { unread: number; live: boolean } {
  const claims = useClaims();
  const qc = useQueryClient();
  const [live, setLive] = useState(false);
  const q = useQuery({
    queryKey: ['unread'],
    queryFn: () => get<Inbox>('/v1/notifications', { unread_only: true, limit: 1 }),
    enabled: !!claims,
  });
  const sub = claims?.sub;
  useEffect(() => {
    if (!sub) return;
    const refetchAll = () => {
      qc.invalidateQueries({ queryKey: ['unread'] });
      qc.invalidateQueries({ queryKey: ['notifications'] });
    };
    const stop = connectLive({
      url: wsUrl(),
      token: tokens.access,
      renew: renewToken,
      localExpiry: (exp) => (tokens.claims()?.exp === exp ? tokens.localExpiry() : exp * 1000),
      onNotification: (frame) => {
        if (typeof frame.unread_count === 'number') qc.setQueryData(['unread'], { unread_count: frame.unread_count });
        qc.invalidateQueries({ queryKey: ['notifications'] });
        qc.invalidateQueries({ queryKey: ['appointments'] });
        const n = frame.notification ?? {};
        const id = String(n.id ?? crypto.randomUUID());
        setToasts([...toasts.filter((t) => t.id !== id), { id, title: String(n.title ?? 'New notification'), body: n.body ? String(n.body) : undefined, link: n.link ? String(n.link) : undefined }].slice(-3));
        setTimeout(() => dismissToast(id), 8000);
      },
      onUnreadCount: (n) => qc.setQueryData(['unread'], { unread_count: n }),
      onResync: refetchAll,
      onState: setLive,
      poll: () => {
        qc.invalidateQueries({ queryKey: ['unread'] });
      },
      pollMs: 5000,
    });
    return () => {
      stop();
      setLive(false);
    };
  }, [sub, qc]);
  return { unread: claims ? Number(q.data?.unread_count ?? 0) : 0, live };
}
