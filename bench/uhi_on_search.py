#!/usr/bin/env python3
"""on_search latency of the platform as a UHI HSPA (issue 16), against a running stack.

A patient app of the bench's own (registered with the development registry, signing as
NHA's apps do) sends N signed searches to /uhi/search, C at a time, and times each from
the POST to its ACK and to the on_search callback arriving at the bench's own HTTP server.
Baseline, same session, same concurrency: the platform's own REST search for the same
practitioners (GET /v1/practitioners), which the HSPA calls internally for each answer.

  python3 bench/uhi_on_search.py [--n 200] [--concurrency 4] [--city std:080] [--type Physical]

Defaults reach ./healthtech up's stack (BFF :8080, registry :8091). Stops by itself.
"""
import argparse
import base64
import datetime as dt
import hashlib
import http.server
import json
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))


def b64(data):
    return base64.b64encode(data).decode()


def blake(data):
    return hashlib.blake2b(data, digest_size=64).digest()


def sign(key, keyid, body):
    created = int(time.time())
    line = f"(created): {created} (expires): {created + 10} digest: BLAKE-512={b64(blake(body))}"
    return json.dumps({"keyId": f"{keyid}|ed25519", "algorithm": "ed25519", "created": str(created),
                       "expires": str(created + 10), "headers": "(created) (expires) digest",
                       "signature": b64(key.sign(b64(blake(line.encode())).encode()))})


def percentiles(values):
    s = sorted(values)
    pick = lambda q: s[min(len(s) - 1, int(q * len(s)))]  # noqa: E731
    return {"p50": round(pick(0.50) * 1000, 1), "p90": round(pick(0.90) * 1000, 1),
            "p99": round(pick(0.99) * 1000, 1), "mean": round(statistics.fmean(s) * 1000, 1)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8080")
    ap.add_argument("--registry", default="http://127.0.0.1:8091")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--city", default="std:080")
    ap.add_argument("--type", default="Physical")
    ap.add_argument("--timeout", type=float, default=30)
    args = ap.parse_args()

    arrived = {}  # transaction_id -> (time, body)
    events = {}
    lock = threading.Lock()

    class Callback(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            t = time.perf_counter()
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            ack = b'{"message":{"ack":{"status":"ACK"}}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(ack)))
            self.end_headers()
            self.wfile.write(ack)
            msg = json.loads(body)
            tx = msg["context"]["transaction_id"]
            with lock:
                arrived[tx] = (t, msg)
                ev = events.get(tx)
            if ev:
                ev.set()

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Callback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/bench"

    key = Ed25519PrivateKey.generate()
    sid = f"bench-{uuid.uuid4().hex[:8]}.eua.local"
    spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    r = requests.post(f"{args.registry}/dev/subscribers", timeout=10, json={
        "subscriber_id": sid, "pub_key_id": "k1", "type": "EUA", "signing_public_key": b64(spki), "url": url})
    r.raise_for_status()
    me = requests.get(f"{args.base}/uhi/subscriber", timeout=10).json()
    session = requests.Session()

    def one(_):
        now = dt.datetime.now(IST).replace(microsecond=0, tzinfo=None)
        tx = str(uuid.uuid4())
        body = json.dumps({"context": {
            "domain": "nic2004:85111", "country": "IND", "city": args.city, "action": "search",
            "core_version": "0.7.1", "consumer_id": sid, "consumer_uri": url,
            "provider_id": me["subscriber_id"], "provider_uri": me["subscriber_url"],
            "message_id": str(uuid.uuid4()), "transaction_id": tx,
            "timestamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")},
            "message": {"intent": {"fulfillment": {
                "type": args.type, "start": {"time": {"timestamp": now.isoformat()}},
                "end": {"time": {"timestamp": (now + dt.timedelta(days=7)).isoformat()}}},
                "item": {"descriptor": {"name": "Consultation"}}}}}).encode()
        ev = threading.Event()
        with lock:
            events[tx] = ev
        t0 = time.perf_counter()
        resp = session.post(f"{args.base}/uhi/search", data=body, timeout=args.timeout, headers={
            "Content-Type": "application/json", "Authorization": sign(key, f"{sid}|k1", body)})
        t_ack = time.perf_counter()
        if resp.status_code != 200:
            return None
        if not ev.wait(args.timeout):
            return (t_ack - t0, None, 0)
        t_cb, msg = arrived[tx]
        n = sum(len(p.get("fulfillments", [])) for p in msg["message"]["catalog"]["providers"])
        return (t_ack - t0, t_cb - t0, n)

    def rest(_):
        t0 = time.perf_counter()
        r = session.get(f"{args.base}/v1/practitioners", params={"limit": 50, "sort": "soonest"}, timeout=30)
        return time.perf_counter() - t0 if r.status_code == 200 else None

    one(0)  # warm: registry lookup cached, connections open
    with ThreadPoolExecutor(args.concurrency) as pool:
        t = time.perf_counter()
        results = list(pool.map(one, range(args.n)))
        wall = time.perf_counter() - t
        baseline = list(pool.map(rest, range(args.n)))
    ok = [x for x in results if x and x[1] is not None]
    out = {
        "n": args.n, "concurrency": args.concurrency, "city": args.city, "type": args.type,
        "refused": sum(1 for x in results if x is None),
        "no_callback": sum(1 for x in results if x and x[1] is None),
        "fulfillments_per_answer": sorted({x[2] for x in ok}),
        "searches_per_second": round(len(ok) / wall, 1),
        "ack_ms": percentiles([x[0] for x in ok]),
        "on_search_ms": percentiles([x[1] for x in ok]),
        "baseline_rest_search_ms": percentiles([x for x in baseline if x is not None]),
    }
    out["ratio_on_search_p50_to_rest_p50"] = round(out["on_search_ms"]["p50"] / out["baseline_rest_search_ms"]["p50"], 2)
    print(json.dumps(out, indent=2))
    server.shutdown()


if __name__ == "__main__":
    main()
