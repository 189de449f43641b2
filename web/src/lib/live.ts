// Live notifications: the BFF's WebSocket (`GET /ws`). Protocol (README, "Calling the API"):
//   client → {"type":"auth","access_token":"…"} first (within 5 s), and again with a fresh
//            token before the old one expires;
//   server → {"type":"ready","user_id":…,"expires_at":<unix seconds>} after each auth,
//            {"type":"notification","notification":{…},"unread_count":N},
//            {"type":"unread_count","unread_count":N} (read elsewhere),
//            {"type":"resync"} (it may have missed messages: refetch);
//   close 4001 when the token expired, 1008 when authentication failed (or the socket
//   flooded the server), 4029 when the server holds too many sessions (retried with backoff).
// Until a "ready" frame arrives (or whenever the socket is closed or refused) the unread
// count is polled instead, and the socket is tried again with exponential backoff.

export interface LiveFrame {
  type: string;
  notification?: Record<string, unknown>;
  unread_count?: number;
  expires_at?: number;
  user_id?: string;
}

export interface LiveOptions {
  url: string;
  token: () => string | null;
  /** A fresh access token (the session refresh), or null when there is none. */
  renew?: (force?: boolean) => Promise<string | null>;
  onNotification: (frame: LiveFrame) => void;
  /** {"type":"unread_count"}: read elsewhere. */
  onUnreadCount?: (n: number) => void;
  /** {"type":"resync"}, and every (re)connection: refetch what may have been missed. */
  onResync?: () => void;
  /** Whether the socket is live (authenticated) or down (polling). */
  onState?: (live: boolean) => void;
  /** Called every `pollMs` while the socket is down: fetch the unread count. */
  poll: () => void;
  pollMs?: number;
  /** Re-authenticate this long before the token's expiry. */
  renewBeforeMs?: number;
  /** The local time (ms) at which a token the server says expires at `expiresAtSec` expires. */
  localExpiry?: (expiresAtSec: number) => number;
  now?: () => number;
  /** For tests. */
  WebSocketImpl?: typeof WebSocket;
}

export function parseFrame(data: unknown): LiveFrame | null {
  if (typeof data !== 'string') return null;
  try {
    const j = JSON.parse(data);
    return j && typeof j.type === 'string' ? (j as LiveFrame) : null;
  } catch {
    return null;
  }
}

/** Next reconnect delay: doubles from 1 s up to 60 s. */
export function backoff(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attempt));
}

/** When to send the next auth frame: `renewBeforeMs` before expiry (local ms), at least 1 s from now. */
export function renewDelay(expiresAtMs: number, nowMs: number, renewBeforeMs: number): number {
  return Math.max(1000, expiresAtMs - nowMs - renewBeforeMs);
}

export function connectLive(o: LiveOptions): () => void {
  const WS = o.WebSocketImpl ?? (typeof WebSocket !== 'undefined' ? WebSocket : undefined);
  const pollMs = o.pollMs ?? 15_000;
  const now = o.now ?? Date.now;
  let ws: WebSocket | null = null;
  let stopped = false;
  let attempt = 0;
  let connections = 0;
  let pollTimer: ReturnType<typeof setInterval> | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let renewTimer: ReturnType<typeof setTimeout> | null = null;
  let revoked = false;

  const startPolling = () => {
    if (pollTimer || stopped) return;
    o.poll();
    pollTimer = setInterval(o.poll, pollMs);
  };
  const stopPolling = () => {
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
  };
  const clearRenew = () => {
    if (renewTimer) clearTimeout(renewTimer);
    renewTimer = null;
  };
  const send = (sock: WebSocket, token: string) => sock.send(JSON.stringify({ type: 'auth', access_token: token }));

  const retry = (delay: number) => {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      open();
    }, delay);
  };

  const open = () => {
    if (stopped) return;
    if (!WS) return startPolling();
    if (!o.token()) return startPolling();
    let sock: WebSocket;
    try {
      sock = new WS(o.url);
    } catch {
      startPolling();
      return retry(backoff(attempt++));
    }
    ws = sock;
    sock.onopen = () => {
      const t = o.token();
      if (t) send(sock, t);
      else sock.close();
    };
    sock.onmessage = (ev) => {
      const frame = parseFrame(ev.data);
      if (!frame || ws !== sock) return;
      if (frame.type === 'error' && (frame as { code?: string }).code === 'TOKEN_REVOKED') revoked = true;
      switch (frame.type) {
        case 'ready': {
          attempt = 0;
          const wasPolling = pollTimer !== null;
          stopPolling();
          if (wasPolling) {
            // A new connection (not a re-auth): after a reconnection anything may have
            // been missed.
            connections += 1;
            o.onState?.(true);
            if (connections > 1) o.onResync?.();
          }
          clearRenew();
          if (typeof frame.expires_at === 'number' && o.renew) {
            renewTimer = setTimeout(async () => {
              renewTimer = null;
              const fresh = await o.renew!().catch(() => null);
              if (fresh && ws === sock && sock.readyState === 1) send(sock, fresh);
            }, renewDelay(o.localExpiry ? o.localExpiry(frame.expires_at) : frame.expires_at * 1000, now(), o.renewBeforeMs ?? 60_000));
          }
          break;
        }
        case 'notification':
          o.onNotification(frame);
          break;
        case 'unread_count':
          if (typeof frame.unread_count === 'number') o.onUnreadCount?.(frame.unread_count);
          break;
        case 'resync':
          o.onResync?.();
          break;
      }
    };
    sock.onclose = (ev?: CloseEvent) => {
      if (ws !== sock) return;
      ws = null;
      clearRenew();
      if (stopped) return;
      if (!pollTimer) o.onState?.(false);
      startPolling();
      const code = ev?.code;
      if ((code === 4001 || code === 1008) && o.renew) {
        // The token expired (or was refused, or its session was signed out): renew it —
        // through the session even if it has time left when it was revoked — then reconnect.
        const force = revoked;
        revoked = false;
        o.renew(force)
          .catch(() => null)
          .then((fresh) => retry(fresh && code === 4001 ? 0 : backoff(attempt++)));
        return;
      }
      retry(backoff(attempt++));
    };
    sock.onerror = () => {
      /* onclose follows */
    };
    // Until the socket proves itself ("ready"), keep the count fresh by polling.
    startPolling();
  };

  open();
  return () => {
    stopped = true;
    stopPolling();
    clearRenew();
    if (retryTimer) clearTimeout(retryTimer);
    const s = ws;
    ws = null;
    if (s) s.close();
  };
}
