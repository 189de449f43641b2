#!/usr/bin/env python3
"""WebSocket fan-out: N connected clients, one broadcast per round, time until each client
(and until all of them) has it.

  platform: clients authenticate to the BFF's /ws as one user (N sessions); each round
            PUBLISHes one frame on that user's Redis channel, as notification-service does.
  baseline: clients connect to bench/ws_broadcast_baseline (Beast, no auth, no Redis); each
            round one extra control client sends a frame that the server writes to all.

  ws_fanout.py platform --url ws://127.0.0.1:8080/ws --token JWT --user USER_ID --redis-port 63799
  ws_fanout.py baseline --url ws://127.0.0.1:PORT/
  common: --clients 500 --rounds 50   (prints one JSON line)
"""
import argparse
import asyncio
import json
import statistics
import time

import websockets  # python3-websockets


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def redis_publish(port, channel, message):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    parts = ["PUBLISH", channel, message]
    data = f"*{len(parts)}\r\n" + "".join(f"${len(p.encode())}\r\n{p}\r\n" for p in parts)
    writer.write(data.encode())
    await writer.drain()
    await reader.readline()
    writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["platform", "baseline"])
    ap.add_argument("--url", required=True)
    ap.add_argument("--clients", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=50)
    ap.add_argument("--token")
    ap.add_argument("--user")
    ap.add_argument("--redis-port", type=int)
    a = ap.parse_args()

    received = {}  # round -> list of perf_counter times
    sent = {}
    done = {}

    async def client(ready):
        ws = await websockets.connect(a.url, max_queue=None, ping_interval=None, open_timeout=60)
        if a.mode == "platform":
            await ws.send(json.dumps({"type": "auth", "access_token": a.token}))
            while json.loads(await ws.recv())["type"] != "ready":
                pass
        ready.release()
        async for raw in ws:
            now = time.perf_counter()
            frame = json.loads(raw)
            if frame.get("type") != "bench":
                continue
            r = frame["round"]
            received.setdefault(r, []).append(now)
            if len(received[r]) == a.clients:
                done[r].set()
            if r == a.rounds - 1:
                break
        await ws.close()

    ready = asyncio.Semaphore(0)
    tasks = []
    t_connect = time.perf_counter()
    for i in range(a.clients):
        tasks.append(asyncio.create_task(client(ready)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)  # don't flood the accept queue
    for _ in range(a.clients):
        await ready.acquire()
    connect_s = time.perf_counter() - t_connect
    control = await websockets.connect(a.url, max_queue=None) if a.mode == "baseline" else None
    for r in range(a.rounds):
        done[r] = asyncio.Event()
        msg = json.dumps({"type": "bench", "round": r, "pad": "x" * 200})
        sent[r] = time.perf_counter()
        if a.mode == "platform":
            await redis_publish(a.redis_port, f"healthtech:notify:user:{a.user}", msg)
        else:
            await control.send(msg)
        await asyncio.wait_for(done[r].wait(), timeout=30)
        await asyncio.sleep(0.02)
    await asyncio.gather(*tasks)
    if control:
        await control.close()
    each = [(t - sent[r]) * 1000 for r, ts in received.items() for t in ts]
    all_have = [(max(ts) - sent[r]) * 1000 for r, ts in received.items()]
    print(json.dumps({"mode": a.mode, "clients": a.clients, "rounds": a.rounds,
                      "connect_s": round(connect_s, 2),
                      "per_client_ms": {"p50": round(pct(each, 50), 2), "p99": round(pct(each, 99), 2),
                                        "mean": round(statistics.mean(each), 2)},
                      "all_clients_ms": {"p50": round(pct(all_have, 50), 2), "p99": round(pct(all_have, 99), 2)}}))


if __name__ == "__main__":
    asyncio.run(main())
