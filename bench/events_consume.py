#!/usr/bin/env python3
"""How fast notification-service turns events into stored in-app notifications.

Publishes N appointment.booked events on the appointment stream in one pipeline (as the
appointment service's relay would, for one patient and one practitioner, so each event makes
two notifications and two queued emails), then times until the patient's inbox holds N.
Prints one line: events/s. Against ./healthtech up (or BFF_URL, REDIS_PORT, PG_URL).

  bench/events_consume.py [N]        # default 2000
"""
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = os.environ.get("BFF_URL", "http://127.0.0.1:8080")
REDIS_PORT = int(os.environ.get("REDIS_PORT", "63799"))


def pg_url():
    if os.environ.get("PG_URL"):
        return os.environ["PG_URL"]
    secrets = dict(line.strip().split("=", 1) for line in open(os.path.join(ROOT, ".data", "secrets.env")) if "=" in line)
    return f"postgresql://postgres:{secrets['PG_SUPERUSER_PASSWORD']}@127.0.0.1:{os.environ.get('PG_PORT', '54329')}/healthtech"


def register(name):
    body = json.dumps({"email": f"bench.events.{uuid.uuid4().hex[:10]}@example.com", "password": "correct horse battery",
                       "full_name": name}).encode()
    req = urllib.request.Request(BASE + "/v1/auth/register", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)["user_id"]


def resp(*parts):
    return (f"*{len(parts)}\r\n" + "".join(f"${len(p.encode())}\r\n{p}\r\n" for p in parts)).encode()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    patient, doctor = register("Bench Events Patient"), register("Bench Events Doctor")
    start = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    pipeline = b""
    for _ in range(n):
        payload = {"appointment_id": str(uuid.uuid4()), "patient_id": patient, "practitioner_user_id": doctor,
                   "practitioner_id": str(uuid.uuid4()), "organization_id": str(uuid.uuid4()),
                   "facility_id": str(uuid.uuid4()), "status": "booked", "start": start, "end": start,
                   "timezone": "Asia/Kolkata", "mode": "in_person", "fee": {"amount_minor": 0, "currency": "INR"}}
        pipeline += resp("XADD", "healthtech:events:appointment", "*", "id", str(uuid.uuid4()), "type",
                         "appointment.booked", "payload", json.dumps(payload))
    url = pg_url()

    def stored():
        out = subprocess.run(["psql", "-X", "-tA", url, "-c",
                              f"SELECT count(*) FROM notification.notifications WHERE user_id = '{patient}'"],
                             capture_output=True, text=True).stdout.strip()
        return int(out or 0)

    s = socket.create_connection(("127.0.0.1", REDIS_PORT))
    t0 = time.time()
    s.sendall(pipeline)
    s.settimeout(2)
    try:
        while s.recv(1 << 20):
            pass
    except socket.timeout:
        pass
    got = 0
    while got < n and time.time() - t0 < 600:
        got = stored()
        time.sleep(0.1)
    elapsed = time.time() - t0
    print(json.dumps({"events": n, "stored": got, "seconds": round(elapsed, 2), "events_per_second": round(n / elapsed, 1)}))


if __name__ == "__main__":
    main()
