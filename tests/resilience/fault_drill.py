#!/usr/bin/env python3
"""Fault drills (issue 12), against the running stack started by ./healthtech test.

1. kill -9 of every platform process, one after another, under booking load: each must be
   back by itself (the local supervisor restarts it, as kubelet would), and no booking that
   was acknowledged may be lost, duplicated or double-booked. Clients retry with the same
   Idempotency-Key, as the API asks them to.
2. 100 payments with payment-service killed -9 after 50: afterwards no capture is left with
   its appointment unconfirmed, no payment is stuck 'creating', and the reconciliation with
   the gateway is clean.

Figures (time until a killed process serves again, requests failed meanwhile) are printed
as comments; only outcomes are asserted. Output: "ok"/"not ok" lines, then
"N passed, M failed".

Environment (./healthtech test sets it): BFF_URL, GATEWAY_URL, HEALTHTECH_DATA, IAM_BIN,
IAM_ENV, PAYMENT_BIN, PAYMENT_ENV, TEST_DATABASE_URL, SERVICE_GRPC_PORTS.
"""
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from conftest import PDF, Api, grant_admin, make_practitioner, org_body, upload  # noqa: E402

BASE = os.environ["BFF_URL"]
GATEWAY = os.environ["GATEWAY_URL"]
DATA = os.environ["HEALTHTECH_DATA"]
DB = os.environ["TEST_DATABASE_URL"]
GRPC_PORTS = dict(kv.split("=") for kv in os.environ.get("SERVICE_GRPC_PORTS", "").strip(",").split(",") if kv)
PROCESSES = ["iam", "org", "appointment", "payment", "notification", "forum", "uhi", "bff"]
random.seed(1205)

results = []


def check(ok, name, detail=""):
    results.append(bool(ok))
    print(f"{'ok' if ok else 'not ok'} {len(results)} - {name}", flush=True)
    if not ok and detail:
        for line in str(detail).splitlines()[:30]:
            print(f"    {line}")


def sql(statement):
    out = subprocess.run(["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", DB, "-f", "-"], input=statement,
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def pid_of(p):
    try:
        return int(open(os.path.join(DATA, "run", f"{p}.pid")).read())
    except (OSError, ValueError):
        return None


def restarts_of(p):
    try:
        return int(open(os.path.join(DATA, "run", f"{p}.restarts")).read())
    except (OSError, ValueError):
        return 0


def ready():
    try:
        return requests.get(BASE + "/ready", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def listening(port):
    try:
        with socket.create_connection(("127.0.0.1", int(port)), timeout=0.2):
            return True
    except OSError:
        return False


def call(method, path, body=None, token=None, key=None, attempts=60):
    """A careful client: retries 5xx and dropped connections with the same Idempotency-Key."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["Idempotency-Key"] = key
    failures = 0
    for _ in range(attempts):
        try:
            r = requests.request(method, BASE + path, data=None if body is None else json.dumps(body),
                                 headers=headers, timeout=15)
            if r.status_code < 500:
                return r, failures
        except requests.RequestException:
            pass
        failures += 1
        time.sleep(0.25)
    return None, failures


# ---------------------------------------------------------------- set-up

def clinic(api, admin, fees=None, name="Dr. Drill"):
    owner = api.register(name="Drill Owner")
    api.login(owner)
    org = api.post("/v1/organizations", org_body(), token=owner.access).json()
    assert upload(api, owner.access, org["id"], PDF).status_code == 201
    api.post(f"/v1/organizations/{org['id']}/submit", token=owner.access)
    assert api.post(f"/v1/admin/organizations/{org['id']}/verification", {"decision": "approve"},
                    token=admin.access).status_code == 200
    fac = api.post(f"/v1/organizations/{org['id']}/facilities",
                   {"name": "Drill Clinic", "timezone": "Asia/Kolkata",
                    "address": {"line1": "1 Drill Road", "city": "Bengaluru", "state": "Karnataka",
                                "pincode": "560001"}}, token=owner.access).json()
    profile = {"display_name": name}
    if fees:
        profile["fees"] = fees
    doctor, prof = make_practitioner(api, {"org": org, "facility": fac, "owner": owner}, **profile)
    rules = [{"facility_id": fac["id"], "mode": "in_person", "weekday": d, "start_local": "00:00",
              "end_local": "24:00", "slot_minutes": 10}
             for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")]
    r = api.call("PUT", f"/v1/practitioners/{prof['id']}/availability",
                 {"rules": rules, "min_notice_minutes": 60, "horizon_days": 30, "cancellation_cutoff_minutes": 0},
                 token=doctor.access)
    assert r.status_code == 200, r.text
    slots = []
    t = time.time() + 2 * 3600
    for week in range(4):
        frm = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t + week * 7 * 86400))
        to = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t + (week + 1) * 7 * 86400))
        token = ""
        while True:  # the list is paged (at most 500 a page): take every page of the week
            params = {"from": frm, "to": to, "limit": 500, **({"page_token": token} if token else {})}
            page = api.get(f"/v1/practitioners/{prof['id']}/slots", params=params).json()
            slots += page["items"]
            token = page.get("next_page_token", "")
            if not token:
                break
    return prof, fac, slots


def slot_cursor(slots):
    """Hands out `slots` one at a time to concurrent clients (None when all are taken)."""
    lock = threading.Lock()
    cursor = iter(slots)

    def next_slot():
        with lock:
            return next(cursor, None)
    return next_slot


def patients(api, n):
    out = []
    for i in range(n):
        p = api.register(name=f"Drill Patient {i}")
        api.login(p)
        out.append(p)
    return out


# ---------------------------------------------------------------- drill 1

def kill_each_under_booking_load(api, admin):
    prof, fac, slots = clinic(api, admin)
    people = patients(api, 8)
    random.shuffle(slots)
    acknowledged = {}  # idempotency key -> appointment id
    conflicts = [0]
    lock = threading.Lock()
    stop = threading.Event()
    next_slot = slot_cursor(slots)

    def load(k):
        person = people[k]
        while not stop.is_set():
            slot = next_slot()
            if slot is None:
                return
            key = str(uuid.uuid4())
            body = {"practitioner_id": prof["id"], "facility_id": fac["id"], "start": slot["start"],
                    "mode": slot["mode"]}
            r, _ = call("POST", "/v1/appointments", body, token=person.access, key=key)
            if r is not None and r.status_code == 401:  # IAM restarted with its keys: sign in again
                api_k = Api(BASE)
                api_k.login(person)
                r, _ = call("POST", "/v1/appointments", body, token=person.access, key=key)
            with lock:
                if r is not None and r.status_code == 201:
                    acknowledged[key] = (r.json()["id"], person.id)
                elif r is not None and r.status_code == 409:
                    conflicts[0] += 1

    threads = [threading.Thread(target=load, args=(k,)) for k in range(len(people))]
    for t in threads:
        t.start()
    time.sleep(2)
    # A read through the BFF that needs each service (no cache in front of it).
    probes = {"iam": ("/.well-known/jwks.json", None), "org": ("/v1/practitioners?limit=1", None),
              "appointment": (f"/v1/practitioners/{prof['id']}/availability", None),
              "payment": ("/v1/payments", people[0]), "notification": ("/v1/notification-preferences", people[0]),
              "forum": ("/v1/forum/categories", None), "uhi": ("/uhi/subscriber", None)}

    def probe(p):
        path, who = probes[p]
        try:
            h = {"Authorization": f"Bearer {who.access}"} if who else {}
            return requests.get(BASE + path, headers=h, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    figures = []
    all_back = True
    for p in PROCESSES:
        old, before = pid_of(p), restarts_of(p)
        os.kill(old, signal.SIGKILL)
        t0 = time.time()
        back = listened = reached = None
        deadline = t0 + 30
        while time.time() < deadline:
            new = pid_of(p)
            if p in GRPC_PORTS and listened is None and new != old and listening(GRPC_PORTS[p]):
                listened = time.time()
            if listened is not None and reached is None and probe(p):
                reached = time.time()
            if new and new != old and os.path.exists(f"/proc/{new}") and ready() and (
                    p not in GRPC_PORTS or reached is not None):
                back = time.time() - t0
                break
            time.sleep(0.01)
        if back is None:
            all_back = False
            figures.append(f"{p}: NOT BACK within 30 s (pid {old} -> {pid_of(p)})")
            continue
        lag = f", reached through the BFF {(reached - listened) * 1000:.0f} ms after it listened" \
            if listened and reached else ""
        figures.append(f"{p}: serving again {back:.2f} s after kill -9{lag}, restarts {before} -> {restarts_of(p)}")
        time.sleep(1.0)
    stop.set()
    for t in threads:
        t.join(timeout=120)
    for f in figures:
        print(f"# {f}")
    print(f"# bookings acknowledged: {len(acknowledged)}, lost races (409): {conflicts[0]}")
    check(all_back and all(restarts_of(p) >= 1 for p in PROCESSES),
          "every process killed with -9 is back by itself (supervised restart)", "\n".join(figures))
    check(len(acknowledged) > 20, f"bookings went through during the drill ({len(acknowledged)})")
    ids = [a for a, _ in acknowledged.values()]
    stored = sql("SELECT count(*) FROM appointment.appointments WHERE id = ANY('{%s}'::uuid[]) AND status = 'booked'"
                 % ",".join(ids)) if ids else "0"
    check(int(stored) == len(ids), f"every acknowledged booking is stored and booked ({stored}/{len(ids)})")
    dups = sql(f"SELECT count(*) FROM (SELECT start_at FROM appointment.appointments WHERE practitioner_id = "
               f"'{prof['id']}' AND status IN ('booked', 'pending_payment') GROUP BY start_at HAVING count(*) > 1) d")
    check(dups == "0", "no slot was booked twice")
    extra = sql(f"SELECT count(*) FROM appointment.appointments WHERE practitioner_id = '{prof['id']}' AND "
                f"status = 'booked'")
    check(int(extra) == len(ids), f"no booking exists that was not acknowledged ({extra} stored, {len(ids)} acknowledged)")


# ---------------------------------------------------------------- drill 2

def payments_with_a_kill(api, admin, n=100):
    fees = {"first_visit": {"amount_minor": 50000, "currency": "INR"},
            "follow_up": {"amount_minor": 50000, "currency": "INR"}}
    prof, fac, slots = clinic(api, admin, fees=fees, name="Dr. Drill Payments")
    people = patients(api, 10)
    random.shuffle(slots)
    plan = [(people[i % len(people)], slots[i]) for i in range(n)]
    done = [0]
    lock = threading.Lock()
    killed = threading.Event()
    outcomes = {"paid": 0, "failed": 0}

    def one(item):
        person, slot = item
        r, _ = call("POST", "/v1/appointments", {"practitioner_id": prof["id"], "facility_id": fac["id"],
                                                 "start": slot["start"], "mode": slot["mode"]},
                    token=person.access, key=str(uuid.uuid4()))
        if r is None or r.status_code != 201:
            with lock:
                outcomes["failed"] += 1
            return
        appt = r.json()["id"]
        with lock:
            done[0] += 1
            if done[0] == n // 2 and not killed.is_set():
                killed.set()
                os.kill(pid_of("payment"), signal.SIGKILL)
        key = str(uuid.uuid4())
        r, _ = call("POST", "/v1/payments", {"appointment_id": appt}, token=person.access, key=key)
        if r is None or r.status_code != 201:
            with lock:
                outcomes["failed"] += 1
            return
        order = r.json()["gateway_order_id"]
        try:
            requests.post(f"{GATEWAY}/v1/test/orders/{order}/pay", json={"outcome": "approve"}, timeout=10)
            with lock:
                outcomes["paid"] += 1
        except requests.RequestException:
            with lock:
                outcomes["failed"] += 1

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, plan))
    print(f"# payments: {outcomes['paid']} paid at the gateway, {outcomes['failed']} requests gave up")
    # Webhook retries and the sweepers settle what the kill cut in two.
    deadline = time.time() + 60
    while time.time() < deadline:
        unsettled = sql("SELECT count(*) FROM payment.payments WHERE (status = 'captured' AND settled_at IS NULL) "
                        "OR status = 'creating'")
        pending = sql(f"SELECT count(*) FROM appointment.appointments a WHERE a.practitioner_id = '{prof['id']}' AND "
                      "a.status = 'pending_payment' AND EXISTS (SELECT 1 FROM payment.payments p WHERE "
                      "p.appointment_id = a.id AND p.status = 'captured')")
        if unsettled == "0" and pending == "0":
            break
        time.sleep(1)
    check(killed.is_set(), "payment-service was killed -9 in the middle of the run")
    check(unsettled == "0", f"no payment is stuck 'creating' or captured without settlement ({unsettled})")
    unconfirmed = sql(f"SELECT count(*) FROM payment.payments p JOIN appointment.appointments a ON a.id = "
                      f"p.appointment_id WHERE a.practitioner_id = '{prof['id']}' AND p.status = 'captured' AND "
                      "a.status NOT IN ('booked', 'checked_in', 'in_progress', 'completed')")
    check(unconfirmed == "0", f"every capture confirmed its appointment ({unconfirmed} not)")
    env = dict(os.environ)
    for line in os.environ["PAYMENT_ENV"].splitlines():
        k, _, v = line.partition("=")
        env[k] = v
    rec = subprocess.run([os.environ["PAYMENT_BIN"], "reconcile"], env=dict(env, LOG_LEVEL="warn"),
                         capture_output=True, text=True, timeout=300)
    print("# " + (rec.stdout.strip().splitlines() or [""])[-1])
    check(rec.returncode == 0, "reconciliation with the gateway is clean", rec.stdout[-3000:] + rec.stderr[-1000:])


def main():
    api = Api(BASE)
    admin = api.register(name="Drill Admin")
    grant_admin(admin.email)
    api.login(admin)
    kill_each_under_booking_load(api, admin)
    # IAM restarted: sign in again.
    api.login(admin)
    payments_with_a_kill(api, admin)
    check(ready(), "/ready is green after the drills")
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
