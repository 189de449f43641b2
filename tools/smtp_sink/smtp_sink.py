#!/usr/bin/env python3
"""A development SMTP server on loopback that keeps what it receives (JSON lines) and
shows it over HTTP: GET /messages?to=ADDRESS -> {"items": [...]}, oldest first.

  smtp_sink.py --smtp-port N --http-port M --store FILE
"""
import argparse
import asyncore  # noqa: F401 - smtpd runs on asyncore (Python 3.11 stdlib)
import email
import email.policy
import json
import os
import smtpd
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
ARGS = None
# Every message by recipient, loaded from the store once at start: a poll must not reread a
# store that grows with every run (50 clients polling a 40 MB file timed out the caller).
BY_RECIPIENT = {}
ALL = []


def remember(record):
    ALL.append(record)
    for r in record["to"]:
        BY_RECIPIENT.setdefault(r, []).append(record)
# smtpd greets every connection with socket.getfqdn(), a reverse DNS lookup that costs tens
# of milliseconds per connection here; a sink on loopback can just say its name.
smtpd.socket.getfqdn = lambda *args: "smtp-sink.localhost"


class Sink(smtpd.SMTPServer):
    def handle_accepted(self, conn, addr):
        # smtpd answers in several small writes; without TCP_NODELAY each one waits for the
        # client's delayed ACK (40 ms on Linux), capping the sink at ~20 messages/s.
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().handle_accepted(conn, addr)

    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        msg = email.message_from_bytes(data if isinstance(data, bytes) else data.encode(), policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain", "html"))
        html = msg.get_body(preferencelist=("html",))
        record = {"from": mailfrom, "to": [r.lower() for r in rcpttos], "subject": str(msg["subject"] or ""),
                  "body": body.get_content() if body else "", "html": html.get_content() if html else "",
                  "message_id": str(msg["message-id"] or "").strip("<>"), "received_at": time.time()}
        with LOCK, open(ARGS.store, "a") as f:
            f.write(json.dumps(record) + "\n")
            remember(record)
        return None


class Http(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        to = urllib.parse.parse_qs(url.query).get("to", [""])[0].lower()
        with LOCK:
            items = list(BY_RECIPIENT.get(to, ())) if to else list(ALL)
        data = json.dumps({"items": items}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--smtp-port", type=int, required=True)
    p.add_argument("--http-port", type=int, required=True)
    p.add_argument("--store", required=True)
    p.add_argument("--bind", default="127.0.0.1", help="listen address (0.0.0.0 in a container)")
    ARGS = p.parse_args()
    if os.path.exists(ARGS.store):
        with open(ARGS.store) as f:
            for line in f:
                if line.strip():
                    remember(json.loads(line))
    Sink((ARGS.bind, ARGS.smtp_port), None, decode_data=False)
    threading.Thread(target=ThreadingHTTPServer((ARGS.bind, ARGS.http_port), Http).serve_forever, daemon=True).start()
    import asyncore as loop
    loop.loop()


if __name__ == "__main__":
    main()
