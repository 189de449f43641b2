import { useEffect } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { get } from '../api/client';
import { tokens } from '../auth/tokens';
import { useClaims } from '../auth/session';
import { connectLive } from '../lib/live';
import { wsUrl } from '../config';

interface Inbox {
  unread_count?: number;
}

/** The unread count for the badge, kept live over the WebSocket (polling as fallback). */
export function useUnreadCount(): number {
  const claims = useClaims();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ['unread'],
    queryFn: () => get<Inbox>('/v1/notifications', { unread_only: true, limit: 1 }),
    enabled: !!claims,
  });
  const sub = claims?.sub;
  useEffect(() => {
    if (!sub) return;
    return connectLive({
      url: wsUrl(),
      token: tokens.access,
      onNotification: (frame) => {
        if (typeof frame.unread_count === 'number') qc.setQueryData(['unread'], { unread_count: frame.unread_count });
        qc.invalidateQueries({ queryKey: ['notifications'] });
        qc.invalidateQueries({ queryKey: ['appointments'] });
      },
      poll: () => {
        qc.invalidateQueries({ queryKey: ['unread'] });
      },
      pollMs: 5000,
    });
  }, [sub, qc]);
  return claims ? Number(q.data?.unread_count ?? 0) : 0;
}
