import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoff, connectLive, parseFrame, renewDelay } from './live';

class FakeSocket {
  static last: FakeSocket | null = null;
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e?: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(public url: string) {
    FakeSocket.last = this;
  }
  send(s: string) {
    this.sent.push(s);
  }
  close(code = 1000) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  frame(f: object) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
}

describe('live notifications client', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('authenticates first, delivers frames, and stops polling once the server says ready', () => {
    const poll = vi.fn();
    const got: unknown[] = [];
    const stop = connectLive({ url: 'ws://x/ws', token: () => 'T', onNotification: (f) => got.push(f), poll, pollMs: 1000, WebSocketImpl: FakeSocket as unknown as typeof WebSocket });
    const ws = FakeSocket.last!;
    expect(poll).toHaveBeenCalledTimes(1); // polls until the socket proves itself
    ws.open();
    expect(JSON.parse(ws.sent[0])).toEqual({ type: 'auth', access_token: 'T' });
    vi.advanceTimersByTime(2500);
    expect(poll.mock.calls.length).toBeGreaterThan(1); // open but not ready: still polling
    ws.frame({ type: 'ready', user_id: 'u' });
    const polls = poll.mock.calls.length;
    vi.advanceTimersByTime(5000);
    expect(poll.mock.calls.length).toBe(polls);
    ws.onmessage!({ data: JSON.stringify({ type: 'notification', notification: { id: 'n1' }, unread_count: 3 }) });
    ws.onmessage!({ data: 'not json' });
    expect(got).toEqual([{ type: 'notification', notification: { id: 'n1' }, unread_count: 3 }]);
    stop();
  });

  it('falls back to polling when the socket closes, and reconnects later', () => {
    const poll = vi.fn();
    const stop = connectLive({ url: 'ws://x/ws', token: () => 'T', onNotification: () => {}, poll, pollMs: 1000, WebSocketImpl: FakeSocket as unknown as typeof WebSocket });
    const first = FakeSocket.last!;
    first.close(); // e.g. the server has no /ws
    vi.advanceTimersByTime(3000);
    expect(poll.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(FakeSocket.last).not.toBe(first); // tried again after the backoff
    stop();
  });

  it('re-authenticates with a renewed token before expiry, without reconnecting', async () => {
    const t0 = Date.UTC(2026, 0, 1);
    vi.setSystemTime(t0);
    let tok = 'T1';
    const renew = vi.fn(async () => (tok = 'T2'));
    const stop = connectLive({ url: 'ws://x/ws', token: () => tok, renew, onNotification: () => {}, poll: () => {}, renewBeforeMs: 60_000, WebSocketImpl: FakeSocket as unknown as typeof WebSocket });
    const ws = FakeSocket.last!;
    ws.open();
    ws.frame({ type: 'ready', expires_at: t0 / 1000 + 900 });
    await vi.advanceTimersByTimeAsync(839_000);
    expect(renew).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(renew).toHaveBeenCalledTimes(1);
    expect(JSON.parse(ws.sent[1])).toEqual({ type: 'auth', access_token: 'T2' });
    expect(FakeSocket.last).toBe(ws);
    stop();
  });

  it('schedules the re-auth by the local expiry when the browser clock is skewed', async () => {
    const t0 = Date.UTC(2026, 0, 1);
    vi.setSystemTime(t0); // the browser is 20 minutes behind the server
    const serverExp = t0 / 1000 + 20 * 60 + 900;
    const renew = vi.fn(async () => 'T2');
    const stop = connectLive({ url: 'ws://x/ws', token: () => 'T1', renew, localExpiry: (e) => (e === serverExp ? t0 + 900_000 : e * 1000), onNotification: () => {}, poll: () => {}, WebSocketImpl: FakeSocket as unknown as typeof WebSocket });
    const ws = FakeSocket.last!;
    ws.open();
    ws.frame({ type: 'ready', expires_at: serverExp });
    await vi.advanceTimersByTimeAsync(841_000);
    expect(renew).toHaveBeenCalledTimes(1); // not 20 minutes late
    stop();
  });

  it('on close 4001 renews the token and reconnects at once; resync and unread_count frames reach their handlers', async () => {
    let tok = 'OLD';
    const renew = vi.fn(async () => (tok = 'NEW'));
    const resync = vi.fn();
    const counts: number[] = [];
    const stop = connectLive({ url: 'ws://x/ws', token: () => tok, renew, onNotification: () => {}, onResync: resync, onUnreadCount: (n) => counts.push(n), poll: () => {}, WebSocketImpl: FakeSocket as unknown as typeof WebSocket });
    const first = FakeSocket.last!;
    first.open();
    first.frame({ type: 'ready' });
    first.frame({ type: 'unread_count', unread_count: 4 });
    first.frame({ type: 'resync' });
    expect(counts).toEqual([4]);
    expect(resync).toHaveBeenCalledTimes(1);
    first.close(4001);
    await vi.advanceTimersByTimeAsync(0);
    expect(renew).toHaveBeenCalledTimes(1);
    const second = FakeSocket.last!;
    expect(second).not.toBe(first);
    second.open();
    expect(JSON.parse(second.sent[0])).toEqual({ type: 'auth', access_token: 'NEW' });
    second.frame({ type: 'ready' });
    expect(resync).toHaveBeenCalledTimes(2); // reconnected: refetch what was missed
    stop();
  });

  it('parses frames and backs off exponentially up to a minute', () => {
    expect(parseFrame('{"type":"notification"}')).toEqual({ type: 'notification' });
    expect(parseFrame('{"x":1}')).toBeNull();
    expect(parseFrame(42)).toBeNull();
    expect(backoff(0)).toBe(1000);
    expect(backoff(3)).toBe(8000);
    expect(backoff(20)).toBe(60000);
    expect(renewDelay(1_000_000, 900_000, 60_000)).toBe(40_000);
    expect(renewDelay(1_000_000, 999_000, 60_000)).toBe(1000);
  });
});
