#!/usr/bin/env python3
"""A Razorpay-style payment gateway simulator for development and tests (loopback only).

It speaks the subset of the API the payment service uses, keeps its own ledger, serves a
hosted checkout page where a payment is approved or declined, and sends signed webhooks
(X-Razorpay-Signature: hex HMAC-SHA256 of the raw body with the webhook secret), with
duplicates and out-of-order deliveries on request.

API (HTTP basic auth key_id:key_secret):
  POST /v1/orders {amount, currency, receipt, notes}      -> order
  GET  /v1/orders?receipt=R                                -> {items: [order]} (orders with that receipt)
  GET  /v1/orders/{id}                                     -> order
  GET  /v1/orders/{id}/payments                            -> {items: [payment]}
  GET  /v1/payments/{id}                                   -> payment
  POST /v1/payments/{id}/refund {amount?}                  -> refund
Checkout (what a browser sees):
  GET  /checkout/{order_id}[?callback_url=…]               -> page with Approve / Decline
  POST /checkout/{order_id}/approve | /decline             -> result page (sends the webhook); with
                                                              a callback_url, a redirect back to it
                                                              (Razorpay's callback_url, as a GET)
Test controls (no auth, loopback):
  POST /v1/test/orders/{order_id}/pay {outcome: approve|decline, webhook: bool,
       duplicates: int, out_of_order: bool}                -> {razorpay_payment_id, razorpay_order_id, razorpay_signature}
  GET  /v1/test/ledger                                     -> every order, payment and refund
  POST /v1/test/fail {mode: "none"|"down"}                 -> make the API answer 503
  POST /v1/test/refunds {settle: "now"|"later"}            -> "later": refunds answer "pending"
                                                              and settle by webhook 0.5 s after
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
ORDERS, PAYMENTS, REFUNDS, EVENTS = {}, {}, {}, []
STATE = {"mode": "none", "refunds": "now"}
ARGS = None


def save():
    """Keeps the ledger across restarts (a gateway does not forget): written under LOCK."""
    if ARGS and ARGS.state_file:
        tmp = ARGS.state_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"orders": ORDERS, "payments": PAYMENTS, "refunds": REFUNDS}, f)
        os.replace(tmp, ARGS.state_file)


def load():
    if ARGS.state_file and os.path.exists(ARGS.state_file):
        with open(ARGS.state_file) as f:
            state = json.load(f)
        ORDERS.update(state.get("orders", {}))
        PAYMENTS.update(state.get("payments", {}))
        REFUNDS.update(state.get("refunds", {}))


def rid(prefix):
    return f"{prefix}_{secrets.token_hex(7)}"


def sign(secret, data):
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def send_webhook(event, payload_entity, duplicates=0, delay=0.0):
    body = json.dumps({"entity": "event", "event": event, "id": rid("evt"), "created_at": int(time.time()),
                       "payload": payload_entity}, separators=(",", ":")).encode()
    signature = sign(ARGS.webhook_secret, body)

    def deliver():
        if delay:
            time.sleep(delay)
        for _ in range(1 + duplicates):
            req = urllib.request.Request(ARGS.webhook_url, data=body, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "X-Razorpay-Signature": signature})
            # Like the real gateway, retry failed deliveries with growing pauses
            # (here for about a minute instead of a day).
            for attempt in range(10):
                try:
                    with urllib.request.urlopen(req, timeout=10) as r:
                        EVENTS.append({"event": event, "status": r.status})
                        break
                except Exception as e:  # noqa: BLE001 - record and retry
                    EVENTS.append({"event": event, "error": str(e)})
                    time.sleep(min(0.25 * (2 ** attempt), 15))

    if ARGS.webhook_url:
        threading.Thread(target=deliver, daemon=True).start()


def pay(order_id, outcome, webhook=True, duplicates=0, out_of_order=False):
    with LOCK:
        order = ORDERS.get(order_id)
        if order is None:
            return None
        payment_id = rid("pay")
        status = "captured" if outcome == "approve" else "failed"
        payment = {"id": payment_id, "entity": "payment", "order_id": order_id, "amount": order["amount"],
                   "currency": order["currency"], "status": status, "captured": status == "captured",
                   "amount_refunded": 0, "created_at": int(time.time())}
        PAYMENTS[payment_id] = payment
        order["status"] = "paid" if status == "captured" else "attempted"
        order["attempts"] += 1
        save()
    if webhook:
        entity = {"payment": {"entity": dict(payment)}}
        if out_of_order and status == "captured":
            # An older "authorized" event arrives after the capture.
            send_webhook("payment.captured", entity, duplicates)
            send_webhook("payment.authorized", {"payment": {"entity": dict(payment, status="authorized")}}, 0, 0.3)
        else:
            send_webhook("payment.captured" if status == "captured" else "payment.failed", entity, duplicates)
    return {"razorpay_payment_id": payment_id, "razorpay_order_id": order_id,
            "razorpay_signature": sign(ARGS.key_secret, f"{order_id}|{payment_id}".encode())}


class Handler(BaseHTTPRequestHandler):
    server_version = "gateway-sim/1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def reply(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return {}
        return json.loads(raw or b"{}")

    def authorized(self):
        expected = "Basic " + base64.b64encode(f"{ARGS.key_id}:{ARGS.key_secret}".encode()).decode()
        if not hmac.compare_digest(self.headers.get("Authorization", ""), expected):
            self.reply(401, {"error": {"code": "BAD_REQUEST_ERROR", "description": "Authentication failed"}})
            return False
        if STATE["mode"] == "down":
            self.reply(503, {"error": {"code": "SERVER_ERROR", "description": "unavailable"}})
            return False
        return True

    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        if parts[:2] == ["v1", "test"] and parts[2:] == ["ledger"]:
            with LOCK:
                return self.reply(200, {"orders": list(ORDERS.values()), "payments": list(PAYMENTS.values()),
                                        "refunds": list(REFUNDS.values()), "webhooks": list(EVENTS)})
        if parts == ["health"]:
            return self.reply(200, {"status": "ok"})
        if parts[0] == "checkout" and len(parts) == 2:
            order = ORDERS.get(parts[1])
            if order is None:
                return self.reply(404, b"<h1>Unknown order</h1>", "text/html")
            callback = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("callback_url", [""])[0]
            if callback and urllib.parse.urlsplit(callback).scheme not in ("http", "https"):
                return self.reply(400, b"<h1>Bad callback_url</h1>", "text/html")
            back = f"?callback_url={urllib.parse.quote(callback, safe='')}" if callback else ""
            page = f"""<!doctype html><html><head><title>Pay</title></head><body>
<h1>HealthTech test checkout</h1><p>Order {order['id']}: {order['amount'] / 100:.2f} {order['currency']}</p>
<form method="post" action="/checkout/{order['id']}/approve{back}"><button>Approve payment</button></form>
<form method="post" action="/checkout/{order['id']}/decline{back}"><button>Decline payment</button></form>
</body></html>"""
            return self.reply(200, page.encode(), "text/html; charset=utf-8")
        if not self.authorized():
            return
        if parts == ["v1", "orders"]:  # GET /v1/orders?receipt=… (Razorpay's "fetch orders")
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            receipt = query.get("receipt", [None])[0]
            with LOCK:
                items = [o for o in ORDERS.values() if receipt is None or o.get("receipt") == receipt]
            return self.reply(200, {"entity": "collection", "count": len(items), "items": items})
        if parts[:2] == ["v1", "orders"] and len(parts) == 3 and parts[2] in ORDERS:
            return self.reply(200, ORDERS[parts[2]])
        if parts[:2] == ["v1", "orders"] and len(parts) == 4 and parts[3] == "payments" and parts[2] in ORDERS:
            with LOCK:
                items = [p for p in PAYMENTS.values() if p["order_id"] == parts[2]]
            return self.reply(200, {"entity": "collection", "count": len(items), "items": items})
        if parts[:2] == ["v1", "payments"] and len(parts) == 3 and parts[2] in PAYMENTS:
            return self.reply(200, PAYMENTS[parts[2]])
        self.reply(404, {"error": {"code": "BAD_REQUEST_ERROR", "description": "not found"}})

    def do_POST(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        if parts[:2] == ["v1", "test"]:
            body = self.body()
            if parts[2:3] == ["fail"]:
                STATE["mode"] = body.get("mode", "none")
                return self.reply(200, STATE)
            if parts[2:3] == ["refunds"]:
                STATE["refunds"] = body.get("settle", "now")
                return self.reply(200, STATE)
            if parts[2:3] == ["orders"] and len(parts) == 5 and parts[4] == "pay":
                result = pay(parts[3], body.get("outcome", "approve"), body.get("webhook", True),
                             int(body.get("duplicates", 0)), bool(body.get("out_of_order", False)))
                return self.reply(200 if result else 404, result or {"error": "unknown order"})
        if parts[0] == "checkout" and len(parts) == 3:
            result = pay(parts[1], "approve" if parts[2] == "approve" else "decline")
            if result is None:
                return self.reply(404, b"<h1>Unknown order</h1>", "text/html")
            callback = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("callback_url", [""])[0]
            if callback and urllib.parse.urlsplit(callback).scheme in ("http", "https"):
                # Back to the app, with what Razorpay's callback carries.
                sep = "&" if "?" in callback else "?"
                where = callback + sep + urllib.parse.urlencode(
                    {k: v for k, v in result.items() if k.startswith("razorpay_")})
                self.send_response(303)
                self.send_header("Location", where)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            return self.reply(200, f"<h1>Payment {parts[2]}d</h1><p>{result['razorpay_payment_id']}</p>".encode(),
                              "text/html; charset=utf-8")
        if not self.authorized():
            return
        body = self.body()
        if parts == ["v1", "orders"]:
            amount, currency = body.get("amount"), body.get("currency", "INR")
            if not isinstance(amount, int) or amount <= 0:
                return self.reply(400, {"error": {"code": "BAD_REQUEST_ERROR", "description": "amount"}})
            with LOCK:
                order = {"id": rid("order"), "entity": "order", "amount": amount, "amount_paid": 0,
                         "currency": currency, "receipt": body.get("receipt", ""), "notes": body.get("notes", {}),
                         "status": "created", "attempts": 0, "created_at": int(time.time())}
                ORDERS[order["id"]] = order
                save()
            return self.reply(200, order)
        if parts[:2] == ["v1", "payments"] and len(parts) == 4 and parts[3] == "refund":
            with LOCK:
                payment = PAYMENTS.get(parts[2])
                if payment is None or payment["status"] not in ("captured", "refunded"):
                    return self.reply(400, {"error": {"code": "BAD_REQUEST_ERROR", "description": "not captured"}})
                amount = body.get("amount", payment["amount"] - payment["amount_refunded"])
                if amount <= 0 or payment["amount_refunded"] + amount > payment["amount"]:
                    return self.reply(400, {"error": {"code": "BAD_REQUEST_ERROR", "description": "amount"}})
                payment["amount_refunded"] += amount
                later = STATE.get("refunds") == "later"
                refund = {"id": rid("rfnd"), "entity": "refund", "payment_id": payment["id"], "amount": amount,
                          "currency": payment["currency"], "status": "pending" if later else "processed",
                          "created_at": int(time.time())}
                REFUNDS[refund["id"]] = dict(refund, status="processed")
                save()
            send_webhook("refund.processed", {"refund": {"entity": dict(refund, status="processed")}},
                         delay=0.5 if later else 0.0)
            return self.reply(200, refund)
        self.reply(404, {"error": {"code": "BAD_REQUEST_ERROR", "description": "not found"}})


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--key-id", required=True)
    p.add_argument("--key-secret", required=True)
    p.add_argument("--webhook-secret", required=True)
    p.add_argument("--webhook-url", default="")
    p.add_argument("--state-file", default="")
    p.add_argument("--bind", default="127.0.0.1", help="listen address (0.0.0.0 in a container)")
    ARGS = p.parse_args()
    load()
    ThreadingHTTPServer((ARGS.bind, ARGS.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
