// Live notifications: the BFF's WebSocket (`GET /ws`) pushes each new in-app
// notification with the unread count. Protocol: the client's first frame is
// {"type":"auth","access_token":"…"}; the server then sends
// {"type":"notification","notification":{…},"unread_count":N}. When the socket cannot
// be used (not offered yet, refused, dropped) the inbox is polled instead, and the socket
// is tried again later.

export interface LiveFrame {
  type: string;
  notification?: Record<string, unknown>;
  unread_count?: number;
}

export interface LiveOptions {
  url: string;
  token: () => string | null;
  onNotification: (frame: LiveFrame) => void;
  /** Called every `pollMs` while the socket is down: fetch the unread count. */
  poll: () => void;
  pollMs?: number;
  /** How long an accepted socket must stay open before polling stops. */
  settleMs?: number;
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

export function connectLive(o: LiveOptions): () => void {
  const WS = o.WebSocketImpl ?? (typeof WebSocket !== 'undefined' ? WebSocket : undefined);
  const pollMs = o.pollMs ?? 15_000;
  let ws: WebSocket | null = null;
  let stopped = false;
  let attempt = 0;
  let pollTimer: ReturnType<typeof setInterval> | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  const startPolling = () => {
    if (pollTimer || stopped) return;
    o.poll();
    pollTimer = setInterval(o.poll, pollMs);
  };
  const stopPolling = () => {
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
  };

  const open = () => {
    if (stopped || !WS) return startPolling();
    const token = o.token();
    if (!token) return;
    let authed = false;
    try {
      ws = new WS(o.url);
    } catch {
      return startPolling();
    }
    const sock = ws;
    sock.onopen = () => {
      sock.send(JSON.stringify({ type: 'auth', access_token: token }));
      // A server that refuses the token closes the socket; one still open a moment
      // later took it, and pushes from now on: polling can stop.
      setTimeout(() => {
        if (!stopped && ws === sock && sock.readyState === 1) {
          authed = true;
          attempt = 0;
          stopPolling();
        }
      }, o.settleMs ?? 2000);
    };
    ws.onmessage = (ev) => {
      const frame = parseFrame(ev.data);
      if (!frame) return;
      if (!authed) {
        authed = true;
        attempt = 0;
        stopPolling();
      }
      if (frame.type === 'notification') o.onNotification(frame);
    };
    ws.onclose = () => {
      ws = null;
      if (stopped) return;
      startPolling();
      retryTimer = setTimeout(open, backoff(attempt++));
    };
    ws.onerror = () => {
      /* onclose follows */
    };
    // Until the socket proves itself, keep the count fresh by polling.
    startPolling();
  };

  open();
  return () => {
    stopped = true;
    stopPolling();
    if (retryTimer) clearTimeout(retryTimer);
    if (ws) ws.close();
  };
}
