#!/usr/bin/env python3
"""Events processed end to end: N appointment.booked events published on the Redis stream
(as the appointment service's relay does) until N emails were accepted by the SMTP sink,
against the same sink fed directly by smtplib (one connection per mail, as the service's
SMTP client does) as the baseline. Prints one JSON line.

  events_e2e.py --redis-port P --sink-http URL --smtp-port S --user-id U --email E --events N
"""
import argparse
import datetime as dt
import json
import smtplib
import socket
import time
import urllib.request
import uuid
from email.message import EmailMessage


def resp(*parts):
    return (f"*{len(parts)}\r\n" + "".join(f"${len(p.encode())}\r\n{p}\r\n" for p in parts)).encode()


def mails(sink, address):
    with urllib.request.urlopen(f"{sink}/messages?to={urllib.request.quote(address)}", timeout=30) as r:
        return [m for m in json.load(r)["items"] if m["subject"] == "Your appointment is confirmed"]


def main():
    ap = argparse.ArgumentParser()
    for k in ("--redis-port", "--smtp-port", "--events"):
        ap.add_argument(k, type=int, required=True)
    for k in ("--sink-http", "--user-id", "--email"):
        ap.add_argument(k, required=True)
    a = ap.parse_args()

    before = len(mails(a.sink_http, a.email))
    now = dt.datetime.now(dt.timezone.utc)
    start = (now + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    payload = {"patient_id": a.user_id, "status": "booked", "start": start, "timezone": "Asia/Kolkata",
               "mode": "in_person"}
    batch = b""
    for _ in range(a.events):
        p = dict(payload, appointment_id=str(uuid.uuid4()))
        batch += resp("XADD", "healthtech:events:appointment", "*", "id", str(uuid.uuid4()),
                      "type", "appointment.booked", "source", "appointment", "aggregate_id",
                      p["appointment_id"], "occurred_at", now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                      "payload", json.dumps(p))
    s = socket.create_connection(("127.0.0.1", a.redis_port))
    t0 = time.perf_counter()
    s.sendall(batch)
    got = 0
    while got < a.events:  # one reply line per XADD
        got += s.recv(1 << 20).count(b"\r\n")
    published = time.perf_counter() - t0
    while len(mails(a.sink_http, a.email)) - before < a.events:
        if time.perf_counter() - t0 > 600:
            raise SystemExit("timed out waiting for the emails")
        time.sleep(0.2)
    e2e = time.perf_counter() - t0

    # Baseline: the sink alone, one SMTP connection per mail.
    t1 = time.perf_counter()
    for i in range(a.events):
        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = "bench@healthtech.dev", "baseline@example.com", f"baseline {i}"
        # The same shape as the service's mail: text and escaped HTML alternatives.
        m.set_content("Your appointment on Mon 01 Dec 2026, 10:00 (Asia/Kolkata) is confirmed.\n"
                      "Manage it in the HealthTech app: http://localhost:8080/appointments/x")
        m.add_alternative("<!doctype html><html><body><p>Your appointment on Mon 01 Dec 2026, 10:00 "
                          "(Asia/Kolkata) is confirmed.<br>Manage it: <a href=\"http://localhost:8080/"
                          "appointments/x\">link</a></p></body></html>", subtype="html")
        with smtplib.SMTP("127.0.0.1", a.smtp_port, local_hostname="localhost") as c:
            c.send_message(m)
    direct = time.perf_counter() - t1
    print(json.dumps({"events": a.events, "publish_s": round(published, 3), "end_to_end_s": round(e2e, 2),
                      "events_per_s": round(a.events / e2e, 1), "sink_alone_per_s": round(a.events / direct, 1),
                      "ratio": round((a.events / e2e) / (a.events / direct), 2)}))


if __name__ == "__main__":
    main()
