#!/usr/bin/python3
"""Load driver of bench/booking.sh (standard library only; see bench/README.md, "Booking").

  load_booking.py patients --base URL --count N --out FILE
      Registers (or signs in to) N verified patients bench.patientNN@<demo domain> with the
      demo password: register -> GET /v1/dev/outbox -> verify-email -> login. Writes
      [{email, id, access}] to FILE.

  load_booking.py book --base URL --patients FILE --clients C --duration S --out FILE
      Finds the practitioners of `./healthtech seed` (names and registration numbers read
      from scripts/seed.py), collects their free slots over the whole horizon (31-day
      windows), and runs C client threads, one keep-alive connection each, that POST
      /v1/appointments for S seconds or until their slots run out. Client k books only
      slots of practitioner k mod P (P = practitioners), the slots of one practitioner are
      dealt round-robin to its clients, one mode per start time, and client k signs its
      requests as its own patients (k, k+C, k+2C, ...): no two requests ever compete for a
      slot, and no patient is given two overlapping times. Writes the figures to FILE.

Everything talks to the BFF over loopback; every request has a 30 s timeout.
"""
import argparse
import ast
import base64
import datetime as dt
import http.client
import json
import math
import os
import re
import sys
import threading
import time
import urllib.parse
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO_PASSWORD = "healthtech-demo-2026"
DEMO_DOMAIN = "demo.healthtech.dev"
TIMEOUT = 30


def die(msg):
    print(f"load_booking: {msg}", file=sys.stderr)
    sys.exit(1)


class Client:
    """One keep-alive HTTP/1.1 connection to the BFF; reconnects after a connection error."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        if u.scheme != "http":
            die(f"only http:// is supported (got {base})")
        self.host, self.port = u.hostname, u.port or 80
        self.conn = None

    def request(self, method, path, body=None, token=None, headers=None, params=None):
        if params:
            path += "?" + urllib.parse.urlencode(params)
        h = {"Accept": "application/json"}
        if body is not None:
            h["Content-Type"] = "application/json"
            body = json.dumps(body).encode()
        if token:
            h["Authorization"] = f"Bearer {token}"
        h.update(headers or {})
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
            try:
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.close()
                return r.status, data
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def json(self, method, path, expect=(200, 201), **kw):
        status, data = self.request(method, path, **kw)
        if status not in expect:
            die(f"{method} {path} -> {status} {data[:300].decode(errors='replace')}")
        return json.loads(data) if data else {}

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def jwt_sub(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]


# ------------------------------------------------------------------ patients

def verify_token(c, email):
    for _ in range(100):
        items = c.json("GET", "/v1/dev/outbox", params={"to": email}).get("items", [])
        for m in reversed(items):
            found = re.search(r"verify-email\?token=([A-Za-z0-9_-]+)", m.get("body", ""))
            if found:
                return found.group(1)
        time.sleep(0.1)
    die(f"no verify-email mail for {email} in /v1/dev/outbox (is this a development stack?)")


def patient(c, n, domain, password):
    email = f"bench.patient{n:03d}@{domain}"
    login = {"email": email, "password": password}
    status, data = c.request("POST", "/v1/auth/register",
                             body={"email": email, "password": password, "full_name": f"Bench Patient {n}"})
    if status == 201:
        c.json("POST", "/v1/auth/verify-email", body={"token": verify_token(c, email)})
    elif status != 409:  # 409: registered by an earlier run
        die(f"register {email} -> {status} {data[:200].decode(errors='replace')}")
    status, data = c.request("POST", "/v1/auth/login", body=login)
    if status != 200 and b"EMAIL_NOT_VERIFIED" in data:  # an earlier run stopped half-way
        c.json("POST", "/v1/auth/verify-email", body={"token": verify_token(c, email)})
        status, data = c.request("POST", "/v1/auth/login", body=login)
    if status != 200:
        die(f"login {email} -> {status} {data[:200].decode(errors='replace')}")
    body = json.loads(data)
    if body.get("mfa_required") or not body.get("access_token"):
        die(f"{email}: no access token (MFA on?)")
    return {"email": email, "id": jwt_sub(body["access_token"]), "access": body["access_token"]}


def cmd_patients(a):
    out, errors = [None] * a.count, []
    todo = list(range(a.count))
    lock = threading.Lock()

    def worker():
        c = Client(a.base)
        while True:
            with lock:
                if not todo or errors:
                    break
                n = todo.pop(0)
            try:
                out[n] = patient(c, n + 1, a.domain, a.password)
            except (SystemExit, Exception) as e:  # noqa: BLE001 - reported below
                with lock:
                    errors.append(f"patient {n + 1}: {e!r}")
        c.close()

    threads = [threading.Thread(target=worker) for _ in range(min(a.threads, a.count))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        die("; ".join(errors))
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(out, f)
    print(f"{len(out)} patients signed in ({out[0]['email']} ... {out[-1]['email']})", file=sys.stderr)


# ------------------------------------------------------------------ practitioners and slots

def seeded_doctors():
    """[(display_name, registration_number, fee)] of scripts/seed.py's DOCTORS, without importing it."""
    tree = ast.parse(open(os.path.join(ROOT, "scripts", "seed.py"), encoding="utf-8").read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "DOCTORS" for t in node.targets):
            return [(d["display_name"], "NMC-" + d["email"].upper(), d["fee"]) for d in ast.literal_eval(node.value)]
    die("no DOCTORS list in scripts/seed.py")


def find_practitioners(c):
    found = []
    for name, reg, fee in seeded_doctors():
        # Page on: at national scale (bench/scale.sh's data) hundreds share a seeded name.
        match, token = [], None
        for _ in range(50):
            params = {"q": name.replace("Dr. ", ""), "limit": 100, **({"page_token": token} if token else {})}
            page = c.json("GET", "/v1/practitioners", params=params)
            match = [p for p in page["items"] if p.get("display_name") == name and p.get("registration_number") == reg]
            token = page.get("next_page_token")
            if match or not token:
                break
        if not match:
            die(f"seeded practitioner {name!r} not found (did `./healthtech seed` run?)")
        p = match[0]
        fac = p["facilities"][0]
        found.append({"id": p["id"], "name": name, "fee_minor": fee, "facility_id": fac["facility_id"],
                      "organization_id": fac["organization_id"]})
    return found


def iso(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def free_slots(c, practitioner_id, lead_minutes, horizon_days):
    """Free slots from now + lead to the end of the horizon, one mode per start time, in time order."""
    t = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=lead_minutes)
    end = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=horizon_days)
    seen, out = set(), []
    while t < end:
        to = min(t + dt.timedelta(days=30), end)
        token = ""
        while True:  # the list is paged (at most 500 a page): every page of the window
            params = {"from": iso(t), "to": iso(to), "limit": 500}
            if token:
                params["page_token"] = token
            page = c.json("GET", f"/v1/practitioners/{practitioner_id}/slots", params=params)
            for s in page["items"]:
                if s["start"] not in seen:  # the other mode at the same time is the same practitioner time
                    seen.add(s["start"])
                    out.append({"start": s["start"], "facility_id": s["facility_id"], "mode": s["mode"]})
            token = page.get("next_page_token", "")
            if not token:
                break
        t = to
    return out


# ------------------------------------------------------------------ booking load

def percentile(sorted_values, pct):
    """Nearest-rank percentile of an ascending list."""
    k = max(0, math.ceil(pct / 100.0 * len(sorted_values)) - 1)
    return sorted_values[k]


def merge(results, key):
    out = {}
    for r in results:
        for k, v in r[key].items():
            out[k] = out.get(k, 0) + v
    return dict(sorted(out.items()))


def cmd_book(a):
    patients = json.load(open(a.patients, encoding="utf-8"))
    if len(patients) < a.clients:
        die(f"{a.clients} clients need at least {a.clients} patients (have {len(patients)})")
    c = Client(a.base)
    practitioners = find_practitioners(c)
    P = len(practitioners)
    t0 = time.monotonic()
    for p in practitioners:
        p["slots"] = free_slots(c, p["id"], a.lead_minutes, a.horizon_days)
        p["clients"] = [k for k in range(a.clients) if k % P == practitioners.index(p)]
    c.close()
    collect_s = time.monotonic() - t0
    plan = []  # per client: [(patient, practitioner, slot)]
    for k in range(a.clients):
        p = practitioners[k % P]
        mine = p["slots"][p["clients"].index(k)::len(p["clients"])]
        own = patients[k::a.clients]
        plan.append([(own[i % len(own)], p, s) for i, s in enumerate(mine)])
    total_slots = sum(len(p["slots"]) for p in practitioners)
    print(f"{total_slots} free slots of {P} practitioners collected in {collect_s:.1f} s "
          "(" + ", ".join(f"{p['name']} {len(p['slots'])}" for p in practitioners) + ")", file=sys.stderr)
    if total_slots == 0:
        die("no free slots (run ./healthtech seed; earlier bookings are removed by booking.sh)")

    results = [None] * a.clients
    barrier = threading.Barrier(a.clients + 1)
    state = {"deadline": None}

    def run(k):
        cl = Client(a.base)
        lat, statuses, codes, created = [], {}, {}, {}
        ran_out = True
        barrier.wait()
        for pat, p, s in plan[k]:
            if time.monotonic() >= state["deadline"]:
                ran_out = False
                break
            body = {"practitioner_id": p["id"], "facility_id": s["facility_id"], "start": s["start"], "mode": s["mode"]}
            t = time.perf_counter()
            try:
                status, data = cl.request("POST", "/v1/appointments", body=body, token=pat["access"],
                                          headers={"Idempotency-Key": str(uuid.uuid4())})
            except (http.client.HTTPException, OSError) as e:
                status, data = "connection_error", str(e).encode()
            lat.append(time.perf_counter() - t)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if status == 201:
                st = json.loads(data).get("status", "?")
                created[st] = created.get(st, 0) + 1
            else:
                try:
                    code = json.loads(data).get("code", "?")
                except ValueError:
                    code = "?"
                codes[f"{status} {code}"] = codes.get(f"{status} {code}", 0) + 1
        cl.close()
        results[k] = {"latencies": lat, "statuses": statuses, "codes": codes, "created": created,
                      "ran_out_of_slots": ran_out, "slots": len(plan[k]), "end": time.monotonic()}

    threads = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(a.clients)]
    for t in threads:
        t.start()
    start = time.monotonic()
    state["deadline"] = start + a.duration
    barrier.wait()
    for t in threads:
        t.join(a.duration + 2 * TIMEOUT)
    if any(t.is_alive() for t in threads):
        die("a client did not finish")
    elapsed = max(r["end"] for r in results) - start
    lat = sorted(x for r in results for x in r["latencies"])
    statuses, codes, created = merge(results, "statuses"), merge(results, "codes"), merge(results, "created")
    ok = statuses.get("201", 0)
    out = {
        "clients": a.clients,
        "patients": len(patients),
        "duration_s": a.duration,
        "elapsed_s": elapsed,
        "requests": len(lat),
        "requests_per_second": len(lat) / elapsed if elapsed > 0 else None,
        "created": ok,
        "created_per_second": ok / elapsed if elapsed > 0 else None,
        "created_by_status": created,
        "p50_ms": percentile(lat, 50) * 1e3 if lat else None,
        "p90_ms": percentile(lat, 90) * 1e3 if lat else None,
        "p99_ms": percentile(lat, 99) * 1e3 if lat else None,
        "max_ms": lat[-1] * 1e3 if lat else None,
        "status_counts": statuses,
        "errors": len(lat) - ok,
        "errors_by_code": codes,
        "clients_out_of_slots": sum(1 for r in results if r["ran_out_of_slots"]),
        "free_slots_collected": total_slots,
        "slot_collection_s": collect_s,
        "practitioners": [{k: p[k] for k in ("id", "name", "fee_minor", "facility_id", "organization_id")}
                          | {"free_slots": len(p["slots"]), "clients": len(p["clients"])} for p in practitioners],
    }
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2)
    print(f"booking: {len(lat)} requests in {elapsed:.1f} s, {ok} created {created}, errors {codes or 0}",
          file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("patients")
    p.add_argument("--base", required=True)
    p.add_argument("--count", type=int, default=64)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--domain", default=DEMO_DOMAIN)
    p.add_argument("--password", default=DEMO_PASSWORD)
    p.add_argument("--out", required=True)
    b = sub.add_parser("book")
    b.add_argument("--base", required=True)
    b.add_argument("--patients", required=True)
    b.add_argument("--clients", type=int, default=16)
    b.add_argument("--duration", type=float, default=10)
    b.add_argument("--lead-minutes", type=int, default=180,
                   help="skip slots closer than this (the seeded minimum notice is 120 minutes)")
    b.add_argument("--horizon-days", type=int, default=61)
    b.add_argument("--out", required=True)
    a = ap.parse_args()
    if a.cmd == "patients":
        if a.count < 1:
            die("--count must be at least 1")
        cmd_patients(a)
    else:
        if a.clients < 1 or a.duration <= 0:
            die("--clients and --duration must be positive")
        cmd_book(a)


if __name__ == "__main__":
    main()
