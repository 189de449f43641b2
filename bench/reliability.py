#!/usr/bin/env python3
"""Payments reliability run (issue 4): N payments through the real stack with random webhook
duplication and reordering, some declines, some client-side verifies, and payment-service
killed and restarted in the middle. Afterwards: ./healthtech payments reconcile must find
zero differences and no appointment may be confirmed without a captured payment.

Usage (bench/payments_reliability.sh does the set-up): reliability.py N
Environment: BFF_URL, GATEWAY_URL, ROOT (repository), PG_URL (superuser, for the checks).
"""
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

BASE, GATEWAY, ROOT = os.environ["BFF_URL"], os.environ["GATEWAY_URL"], os.environ["ROOT"]
PASSWORD = "healthtech-demo-2026"
random.seed(int(os.environ.get("SEED", "42")))


def call(method, url, body=None, token=None, headers=None, ok=(200, 201, 202)):
    data = None if body is None else json.dumps(body).encode()
    h = {"Content-Type": "application/json", **(headers or {})}
    if token:
        h["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    for attempt in range(20):
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            payload = json.loads(e.read() or b"{}")
            if e.code in (502, 503, 504) and attempt < 19:  # the service is restarting
                time.sleep(0.5)
                continue
            return e.code, payload
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    return 599, {}


def account(i):
    email = f"rel.patient{i:03d}@demo.healthtech.dev"
    s, _ = call("POST", BASE + "/v1/auth/register", {"email": email, "password": PASSWORD, "full_name": f"Rel {i}"},
                ok=(201, 409))
    if s == 201:
        for _ in range(200):  # the mail travels event -> notification-service -> SMTP sink
            items = call("GET", BASE + "/v1/dev/outbox?to=" + email)[1]["items"]
            if items:
                break
            time.sleep(0.1)
        token = re.search(r"verify-email\?token=([A-Za-z0-9_-]+)", items[-1]["body"]).group(1)
        call("POST", BASE + "/v1/auth/verify-email", {"token": token})
    return call("POST", BASE + "/v1/auth/login", {"email": email, "password": PASSWORD})[1]["access_token"]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    t0 = time.time()
    doctors = [d for name in ("Meera", "Arjun", "Fatima", "Ananya")
               for d in call("GET", BASE + f"/v1/practitioners?q={name}")[1]["items"][:1]]
    slots = {}
    now = time.time()
    for d in doctors:
        got = []
        for start_day, end_day in ((1, 30), (30, 59)):
            frm = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + start_day * 86400))
            to = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + end_day * 86400))
            got += call("GET", BASE + f"/v1/practitioners/{d['id']}/slots?from={frm}&to={to}")[1]["items"]
        seen, unique = set(), []
        for s in got:  # one mode per start time
            if s["start"] not in seen:
                seen.add(s["start"])
                unique.append(s)
        slots[d["id"]] = unique
    clients = 8
    patients_per_client = max(1, (n // clients) // 200 + 1)
    with ThreadPoolExecutor(8) as pool:
        tokens = list(pool.map(account, range(clients * patients_per_client)))
    # Client k books doctor k mod 4 only, each patient of it at distinct times.
    plans = [[] for _ in range(clients)]
    for k in range(clients):
        doc = doctors[k % len(doctors)]
        mine = slots[doc["id"]][k // len(doctors)::(clients + len(doctors) - 1) // len(doctors)]
        plans[k] = [(doc, s) for s in mine]
    stats = {"booked": 0, "paid": 0, "declined": 0, "verify": 0, "webhook_dups": 0, "reordered": 0, "errors": 0}
    lock = threading.Lock()
    counter = {"i": 0}
    killed = {"done": False}

    def bump(key, v=1):
        with lock:
            stats[key] += v

    def worker(k):
        for j, (doc, slot) in enumerate(plans[k]):
            with lock:
                if counter["i"] >= n:
                    return
                counter["i"] += 1
                i = counter["i"]
            token = tokens[k * patients_per_client + (j % patients_per_client)]
            if i == n // 2 and not killed["done"]:
                killed["done"] = True
                pid = int(open(os.path.join(ROOT, ".data/run/payment.pid")).read())
                subprocess.run(["kill", "-TERM", str(pid)])
                time.sleep(1.0)
                subprocess.run([os.path.join(ROOT, "healthtech"), "up"], capture_output=True)
            s, a = call("POST", BASE + "/v1/appointments", {"practitioner_id": doc["id"], "facility_id": slot["facility_id"],
                                                            "start": slot["start"], "mode": slot["mode"]}, token,
                        headers={"Idempotency-Key": f"rel-book-{slot['start']}-{slot['facility_id']}-{token[-12:]}"})
            if s != 201:
                bump("errors")
                continue
            bump("booked")
            s, p = call("POST", BASE + "/v1/payments", {"appointment_id": a["id"]}, token,
                        headers={"Idempotency-Key": f"rel-{a['id']}"})
            if s != 201:
                bump("errors")
                continue
            approve = random.random() < 0.9
            verify = approve and random.random() < 0.1
            dups = random.choice([0, 0, 1, 2])
            reorder = random.random() < 0.2
            bump("webhook_dups", dups)
            bump("reordered", int(reorder))
            _, r = call("POST", GATEWAY + f"/v1/test/orders/{p['gateway_order_id']}/pay",
                        {"outcome": "approve" if approve else "decline", "webhook": not verify, "duplicates": dups,
                         "out_of_order": reorder})
            if verify:
                bump("verify")
                call("POST", BASE + f"/v1/payments/{p['id']}/verify",
                     {"gateway_payment_id": r["razorpay_payment_id"], "signature": r["razorpay_signature"]}, token)
            bump("paid" if approve else "declined")

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    elapsed = time.time() - t0
    time.sleep(8)  # last webhook retries
    rec = subprocess.run([os.path.join(ROOT, "healthtech"), "payments", "reconcile"], capture_output=True, text=True)
    unconfirmed = subprocess.run(
        ["psql", "-X", "-tA", os.environ["PG_URL"], "-c",
         "SELECT count(*) FROM appointment.appointments a WHERE a.fee_minor > 0 AND NOT a.pay_at_clinic AND a.status IN "
         "('booked', 'checked_in', 'in_progress', 'completed') AND NOT EXISTS (SELECT 1 FROM payment.payments p WHERE "
         "p.appointment_id = a.id AND p.status IN ('captured', 'refunded', 'partially_refunded'))"],
        capture_output=True, text=True).stdout.strip()
    captured = subprocess.run(["psql", "-X", "-tA", os.environ["PG_URL"], "-c",
                               "SELECT count(*) FROM payment.ledger WHERE kind = 'captured'"],
                              capture_output=True, text=True).stdout.strip()
    result = {"payments": n, **stats, "elapsed_s": round(elapsed, 1), "payments_per_s": round(stats["booked"] / elapsed, 1),
              "ledger_captures": int(captured or 0), "reconcile_exit": rec.returncode,
              "reconcile": rec.stdout.strip().splitlines()[-1] if rec.stdout.strip() else rec.stderr.strip(),
              "confirmed_without_capture": int(unconfirmed or -1), "payment_service_restarted": killed["done"]}
    print(json.dumps(result, indent=2))
    ok = rec.returncode == 0 and result["confirmed_without_capture"] == 0
    print("RESULT:", "ok" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
