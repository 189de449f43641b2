#!/usr/bin/env python3
"""A development SMS provider on loopback, speaking an MSG91/Twilio-style HTTP API, that keeps
what it accepts (JSON lines) and shows it back.

  POST /v1/messages   header "authkey: KEY", JSON {sender, to (E.164), text, template_id}
                      -> 202 {"message_id": "..."} | 400/401 {"error": "..."}
  GET  /messages?to=+91...   -> {"items": [...]} oldest first (what was accepted)
  GET  /requests             -> {"items": [...]} every request, accepted or not
  POST /v1/test/failures {"mode": "transient"|"permanent"|"none", "count": N}
                      the next N sends (all while N is -1) answer 503 or 400; for tests.
  GET  /health

  sms_sink.py [--bind ADDR] --port N --api-key KEY --store FILE
"""
import argparse
import json
import os
import re
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
ARGS = None
FAILURES = {"mode": "none", "count": 0}
REQUESTS = []
E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")
# Accepted messages by recipient, loaded from the store once at start (a poll must not
# reread a store that grows with every run).
BY_RECIPIENT = {}
ALL = []


def remember(record):
    ALL.append(record)
    BY_RECIPIENT.setdefault(record["to"], []).append(record)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        try:
            return json.loads(self.rfile.read(n) or b"{}")
        except ValueError:
            return None

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/health":
            return self.reply(200, {"status": "ok"})
        if url.path == "/requests":
            with LOCK:
                return self.reply(200, {"items": list(REQUESTS)})
        if url.path != "/messages":
            return self.reply(404, {"error": "not found"})
        to = urllib.parse.parse_qs(url.query).get("to", [""])[0]
        with LOCK:
            items = list(BY_RECIPIENT.get(to, ())) if to else list(ALL)
        self.reply(200, {"items": items})

    def do_POST(self):
        url = urllib.parse.urlparse(self.path)
        body = self.body()
        if url.path == "/v1/test/failures":
            if not isinstance(body, dict) or body.get("mode") not in ("transient", "permanent", "none"):
                return self.reply(400, {"error": "mode must be transient, permanent or none"})
            with LOCK:
                FAILURES.update(mode=body["mode"], count=int(body.get("count", -1)))
            return self.reply(200, dict(FAILURES))
        if url.path != "/v1/messages":
            return self.reply(404, {"error": "not found"})
        with LOCK:
            REQUESTS.append({"headers_ok": self.headers.get("authkey") == ARGS.api_key, "body": body,
                             "received_at": time.time()})
            failing = FAILURES["mode"] != "none" and FAILURES["count"] != 0
            if failing and FAILURES["count"] > 0:
                FAILURES["count"] -= 1
            mode = FAILURES["mode"]
        if self.headers.get("authkey") != ARGS.api_key:
            return self.reply(401, {"error": "invalid authkey"})
        if failing:
            return self.reply(503 if mode == "transient" else 400, {"error": f"simulated {mode} failure"})
        if not isinstance(body, dict):
            return self.reply(400, {"error": "the body must be a JSON object"})
        to, text = body.get("to"), body.get("text")
        if not isinstance(to, str) or not E164.match(to):
            return self.reply(400, {"error": "to must be an E.164 number"})
        if not isinstance(text, str) or not text:
            return self.reply(400, {"error": "text is required"})
        record = {"message_id": "sms_" + uuid.uuid4().hex[:16], "to": to, "text": text,
                  "sender": body.get("sender", ""), "template_id": body.get("template_id", ""),
                  "received_at": time.time()}
        with LOCK, open(ARGS.store, "a") as f:
            f.write(json.dumps(record) + "\n")
            remember(record)
        self.reply(202, {"message_id": record["message_id"]})


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--bind", default="127.0.0.1")  # compose.yaml: 0.0.0.0 in its container
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--api-key", required=True)
    p.add_argument("--store", required=True)
    ARGS = p.parse_args()
    if os.path.exists(ARGS.store):
        with open(ARGS.store) as f:
            for line in f:
                if line.strip():
                    remember(json.loads(line))
    ThreadingHTTPServer((ARGS.bind, ARGS.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
