import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoff, connectLive, parseFrame } from './live';

class FakeSocket {
  static last: FakeSocket | null = null;
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(public url: string) {
    FakeSocket.last = this;
  }
  send(s: string) {
    this.sent.push(s);
  }
  close() {
    this.readyState = 3;
    this.onclose?.();
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
}

describe('live notifications client', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('authenticates first, delivers frames, and stops polling once accepted', () => {
    const poll = vi.fn();
    const got: unknown[] = [];
    const stop = connectLive({ url: 'ws://x/ws', token: () => 'T', onNotification: (f) => got.push(f), poll, pollMs: 1000, settleMs: 500, WebSocketImpl: FakeSocket as unknown as typeof WebSocket });
    const ws = FakeSocket.last!;
    expect(poll).toHaveBeenCalledTimes(1); // polls until the socket proves itself
    ws.open();
    expect(JSON.parse(ws.sent[0])).toEqual({ type: 'auth', access_token: 'T' });
    vi.advanceTimersByTime(500);
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

  it('parses frames and backs off exponentially up to a minute', () => {
    expect(parseFrame('{"type":"notification"}')).toEqual({ type: 'notification' });
    expect(parseFrame('{"x":1}')).toBeNull();
    expect(parseFrame(42)).toBeNull();
    expect(backoff(0)).toBe(1000);
    expect(backoff(3)).toBe(8000);
    expect(backoff(20)).toBe(60000);
  });
});
