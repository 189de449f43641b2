"""Payments through the REST API against the gateway simulator (real HTTP, signed webhooks)."""
import datetime as dt
import hashlib
import hmac
import json
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from conftest import assert_problem, make_practitioner, restart_supervised
from test_appointments import book, later_slots, new_patient, publish, week_rules

GATEWAY = os.environ.get("GATEWAY_URL", "")


@pytest.fixture
def paid_clinic(api, verified_org):
    if not GATEWAY:
        pytest.fail("GATEWAY_URL is not set; run the suite with ./healthtech test")
    doctor, prof = make_practitioner(api, verified_org, display_name="Dr. Paid Consult",
                                     fees={"first_visit": {"amount_minor": 75000, "currency": "INR"},
                                           "follow_up": {"amount_minor": 50000, "currency": "INR"}})
    publish(api, doctor, prof["id"], week_rules(verified_org["facility"]["id"]))
    return {"practitioner": prof, "doctor": doctor, **verified_org}


def pending(api, paid_clinic, index=0):
    patient = new_patient(api)
    a = book(api, patient, paid_clinic["practitioner"], later_slots(api, paid_clinic["practitioner"]["id"])[index])
    assert a.status_code == 201 and a.json()["status"] == "pending_payment", a.text
    return patient, a.json()


def create(api, patient, appointment_id, key=None):
    return api.post("/v1/payments", {"appointment_id": appointment_id}, token=patient.access,
                    headers={"Idempotency-Key": key or str(uuid.uuid4())})


def sim_pay(order_id, **body):
    r = requests.post(f"{GATEWAY}/v1/test/orders/{order_id}/pay", json=body, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def wait_for(fn, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.1)
    return fn()


def test_pay_by_webhook_confirms_the_appointment_once(api, paid_clinic, db):
    patient, appt = pending(api, paid_clinic)
    r = create(api, patient, appt["id"])
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["amount"] == {"amount_minor": 75000, "currency": "INR"} and p["status"] == "created"
    assert p["gateway"] == "razorpay" and p["key_id"] and p["gateway_order_id"].startswith("order_")
    assert requests.get(p["checkout_url"], timeout=5).status_code == 200  # the hosted checkout page
    # Another key gets the same open payment; another patient cannot see it.
    assert create(api, patient, appt["id"]).json()["id"] == p["id"]
    assert_problem(create(api, new_patient(api), appt["id"]), 404)
    sim_pay(p["gateway_order_id"], outcome="approve", duplicates=2)
    paid = wait_for(lambda: api.get(f"/v1/payments/{p['id']}", token=patient.access).json()["status"] == "captured")
    assert paid
    assert wait_for(lambda: api.get(f"/v1/appointments/{appt['id']}", token=patient.access).json()["status"] == "booked")
    time.sleep(0.5)  # let the duplicate deliveries land
    assert db(f"SELECT count(*) FROM payment.ledger WHERE payment_id = '{p['id']}' AND kind = 'captured'") == "1"
    hist = api.get(f"/v1/appointments/{appt['id']}", token=patient.access).json()["status_history"]
    assert [h["to"] for h in hist].count("booked") == 1


def test_client_verify_with_checkout_signature(api, paid_clinic):
    patient, appt = pending(api, paid_clinic, 1)
    p = create(api, patient, appt["id"]).json()
    result = sim_pay(p["gateway_order_id"], outcome="approve", webhook=False)
    bad = api.post(f"/v1/payments/{p['id']}/verify",
                   {"gateway_payment_id": result["razorpay_payment_id"], "signature": "00" * 32}, token=patient.access)
    assert_problem(bad, 400, "SIGNATURE_INVALID")
    r = api.post(f"/v1/payments/{p['id']}/verify",
                 {"gateway_payment_id": result["razorpay_payment_id"], "signature": result["razorpay_signature"]},
                 token=patient.access)
    assert r.status_code == 200 and r.json()["status"] == "captured", r.text
    assert api.get(f"/v1/appointments/{appt['id']}", token=patient.access).json()["status"] == "booked"


def test_the_checkout_page_sends_the_patient_back_to_the_app(api, paid_clinic):
    """The hosted checkout returns to the app's callback_url with the signed result (as
    Razorpay's callback does), and the app's verify call confirms the payment with it."""
    patient, appt = pending(api, paid_clinic, 2)
    p = create(api, patient, appt["id"]).json()
    back = f"{api.base}/payments/{p['id']}?returned=1"
    page = requests.get(p["checkout_url"], params={"callback_url": back}, timeout=10)
    assert page.status_code == 200 and "callback_url=" in page.text
    assert requests.get(p["checkout_url"], params={"callback_url": "javascript:alert(1)"}, timeout=10).status_code == 400
    r = requests.post(f"{GATEWAY}/checkout/{p['gateway_order_id']}/approve", params={"callback_url": back},
                      allow_redirects=False, timeout=10)
    assert r.status_code == 303, r.text
    location = r.headers["Location"]
    assert location.startswith(back + "&")
    got = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert got["razorpay_order_id"] == p["gateway_order_id"]
    v = api.post(f"/v1/payments/{p['id']}/verify",
                 {"gateway_payment_id": got["razorpay_payment_id"], "signature": got["razorpay_signature"]},
                 token=patient.access)
    assert v.status_code == 200 and v.json()["status"] == "captured", v.text


def test_forged_and_replayed_webhooks(api, paid_clinic, db):
    patient, appt = pending(api, paid_clinic, 2)
    p = create(api, patient, appt["id"]).json()
    body = json.dumps({"entity": "event", "event": "payment.captured", "id": "evt_forged",
                       "payload": {"payment": {"entity": {"id": "pay_forged", "order_id": p["gateway_order_id"],
                                                          "amount": 75000, "currency": "INR", "status": "captured"}}}})
    url = f"{api.base}/v1/payments/webhooks/razorpay"
    for headers in ({"Content-Type": "application/json"},
                    {"Content-Type": "application/json", "X-Razorpay-Signature": "ab" * 32},
                    {"Content-Type": "application/json",
                     "X-Razorpay-Signature": hmac.new(b"wrong secret", body.encode(), hashlib.sha256).hexdigest()}):
        assert_problem(requests.post(url, data=body, headers=headers, timeout=10), 401, "WEBHOOK_SIGNATURE_INVALID")
    assert api.get(f"/v1/payments/{p['id']}", token=patient.access).json()["status"] == "created"
    assert db("SELECT count(*) FROM payment.webhook_events WHERE event_id = 'evt_forged'") == "0"
    # A decline: failed, and a later out-of-order event never overwrites a capture.
    sim_pay(p["gateway_order_id"], outcome="decline")
    assert wait_for(lambda: api.get(f"/v1/payments/{p['id']}", token=patient.access).json()["status"] == "failed")
    assert api.get(f"/v1/appointments/{appt['id']}", token=patient.access).json()["status"] == "pending_payment"


def test_twenty_concurrent_creates_make_one_order(api, paid_clinic):
    patient, appt = pending(api, paid_clinic, 3)
    key = str(uuid.uuid4())
    barrier = threading.Barrier(20)

    def attempt(_):
        barrier.wait()
        return requests.post(f"{api.base}/v1/payments", json={"appointment_id": appt["id"]}, timeout=30,
                             headers={"Authorization": f"Bearer {patient.access}", "Idempotency-Key": key})

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(attempt, range(20)))
    assert all(r.status_code == 201 for r in results), [r.text for r in results if r.status_code != 201]
    assert len({r.json()["id"] for r in results}) == 1
    orders = requests.get(f"{GATEWAY}/v1/test/ledger", timeout=5).json()["orders"]
    assert len([o for o in orders if o["receipt"] == results[0].json()["id"]]) == 1
    # The same key with another request (another appointment of the same patient) is a conflict.
    other = book(api, patient, paid_clinic["practitioner"], later_slots(api, paid_clinic["practitioner"]["id"])[20])
    assert other.status_code == 201, other.text
    r = api.post("/v1/payments", {"appointment_id": other.json()["id"]}, token=patient.access,
                 headers={"Idempotency-Key": key})
    assert_problem(r, 409, "IDEMPOTENCY_KEY_REUSED")


def test_unpayable_and_gateway_down(api, paid_clinic, clinic_free=None):
    patient, appt = pending(api, paid_clinic, 5)
    requests.post(f"{GATEWAY}/v1/test/fail", json={"mode": "down"}, timeout=5)
    try:
        assert_problem(create(api, patient, appt["id"]), 503, "GATEWAY_UNAVAILABLE")
        assert api.get("/v1/payments", params={"appointment_id": appt["id"]}, token=patient.access).json()["items"] == []
    finally:
        requests.post(f"{GATEWAY}/v1/test/fail", json={"mode": "none"}, timeout=5)
    assert create(api, patient, appt["id"]).status_code == 201  # works again, nothing half-written before
    assert_problem(api.post("/v1/payments", {"appointment_id": "not-a-uuid"}, token=patient.access), 400)


def captured_payment(api, paid_clinic, index):
    patient, appt = pending(api, paid_clinic, index)
    p = create(api, patient, appt["id"]).json()
    sim_pay(p["gateway_order_id"], outcome="approve")
    assert wait_for(lambda: api.get(f"/v1/payments/{p['id']}", token=patient.access).json()["status"] == "captured")
    return patient, appt, p


def test_refunds_partial_then_rest_never_more(api, paid_clinic, db):
    patient, appt, p = captured_payment(api, paid_clinic, 6)
    owner = paid_clinic["owner"]
    refreshed = api.post("/v1/auth/refresh", {"refresh_token": owner.refresh}).json()  # org_admin role in the token
    owner.access, owner.refresh = refreshed["access_token"], refreshed["refresh_token"]
    url = f"/v1/payments/{p['id']}/refunds"
    fresh = lambda: {"Idempotency-Key": str(uuid.uuid4())}
    assert_problem(api.post(url, {"reason": "x"}, token=patient.access, headers=fresh()), 403)
    assert_problem(api.post(url, {"amount": {"amount_minor": 80000, "currency": "INR"}}, token=owner.access,
                            headers=fresh()), 400, "REFUND_EXCEEDS_CAPTURED")
    # Money moves only with a key: two identical retries cannot make two refunds.
    body = assert_problem(api.post(url, {"amount": {"amount_minor": 1000, "currency": "INR"}}, token=owner.access),
                          400, "VALIDATION_FAILED")
    assert body["errors"][0]["field"] == "Idempotency-Key"
    key = str(uuid.uuid4())
    r = api.post(url, {"amount": {"amount_minor": 25000, "currency": "INR"}, "reason": "discount"}, token=owner.access,
                 headers={"Idempotency-Key": key})
    assert r.status_code == 201 and r.json()["status"] == "processed", r.text
    again = api.post(url, {"amount": {"amount_minor": 25000, "currency": "INR"}, "reason": "discount"}, token=owner.access,
                     headers={"Idempotency-Key": key})
    assert again.json()["id"] == r.json()["id"]
    got = api.get(f"/v1/payments/{p['id']}", token=patient.access).json()
    assert got["status"] == "partially_refunded" and got["amount_refunded"]["amount_minor"] == 25000
    rest = api.post(url, {"reason": "cancelled by clinic"}, token=owner.access, headers=fresh())
    assert rest.status_code == 201 and rest.json()["amount"]["amount_minor"] == 50000
    full = api.get(f"/v1/payments/{p['id']}", token=patient.access).json()
    assert full["status"] == "refunded"
    # The list shows each payment as fully as GET /v1/payments/{id} does.
    listed = [x for x in api.get("/v1/payments", token=patient.access).json()["items"] if x["id"] == p["id"]]
    assert listed == [full], (listed, full)
    assert listed[0]["amount_refunded"]["amount_minor"] == 75000 and len(listed[0]["refunds"]) == 2
    assert_problem(api.post(url, {"amount": {"amount_minor": 1, "currency": "INR"}}, token=owner.access,
                            headers=fresh()), 409, "NOT_REFUNDABLE")
    time.sleep(0.5)  # the gateway's refund.processed webhooks land; nothing doubles
    assert db(f"SELECT -sum(amount_minor) FROM payment.ledger WHERE payment_id = '{p['id']}' AND kind = 'refunded'") == "75000"
    sim = requests.get(f"{GATEWAY}/v1/test/ledger", timeout=5).json()
    assert sum(x["amount"] for x in sim["refunds"] if x["payment_id"] == got["gateway_payment_id"]) == 75000


def test_cancellation_before_cutoff_refunds_automatically(api, paid_clinic):
    patient, appt, p = captured_payment(api, paid_clinic, 7)
    assert wait_for(lambda: api.get(f"/v1/appointments/{appt['id']}", token=patient.access).json()["status"] == "booked")
    r = api.post(f"/v1/appointments/{appt['id']}/cancel", {"reason": "cannot come"}, token=patient.access)
    assert r.status_code == 200, r.text
    assert wait_for(lambda: api.get(f"/v1/payments/{p['id']}", token=patient.access).json()["status"] == "refunded",
                    timeout=15)
    refunds = api.get(f"/v1/payments/{p['id']}", token=patient.access).json()["refunds"]
    assert len(refunds) == 1 and refunds[0]["initiated_by"] == "system" and refunds[0]["amount"]["amount_minor"] == 75000


def test_late_capture_after_hold_expiry_is_refunded(api, paid_clinic, db):
    patient, appt = pending(api, paid_clinic, 8)
    p = create(api, patient, appt["id"]).json()
    db(f"UPDATE appointment.appointments SET hold_expires_at = now() - interval '1 second' WHERE id = '{appt['id']}'")
    assert wait_for(lambda: api.get(f"/v1/appointments/{appt['id']}", token=patient.access).json()["status"] == "expired")
    sim_pay(p["gateway_order_id"], outcome="approve")
    assert wait_for(lambda: api.get(f"/v1/payments/{p['id']}", token=patient.access).json()["status"] == "refunded",
                    timeout=15)
    assert api.get(f"/v1/appointments/{appt['id']}", token=patient.access).json()["status"] == "expired"


def test_invoices_and_credit_notes(api, paid_clinic, tmp_path):
    import subprocess
    patient, appt, p = captured_payment(api, paid_clinic, 9)
    got = wait_for(lambda: api.get(f"/v1/payments/{p['id']}", token=patient.access).json().get("invoice_id"))
    assert got, "no invoice after capture"
    inv = api.get(f"/v1/invoices/{got}", token=patient.access).json()
    assert inv["kind"] == "invoice" and inv["number"].startswith("INV/") and inv["number"].endswith(tuple("0123456789"))
    assert inv["seller"]["gstin"] == "29AAGCB7383J1Z4" and inv["seller"]["name"] == "Sunrise Health Clinic Pvt Ltd"
    assert inv["buyer"]["id"] == patient.id and inv["place_of_supply"] == "Karnataka"
    assert inv["total"] == {"amount_minor": 75000, "currency": "INR"} and inv["line_items"][0]["tax_exempt"]
    r = api.get(f"/v1/invoices/{got}.pdf", token=patient.access)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf" and r.content[:5] == b"%PDF-"
    assert "attachment" in r.headers["Content-Disposition"]
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert inv["number"] in text and "INR 750.00" in text
    # The line says what was bought: with whom, when (the clinic's local time) and where; the
    # document is dated in IST.
    start_local = dt.datetime.fromisoformat(appt["start"].replace("Z", "+00:00")).astimezone(
        dt.timezone(dt.timedelta(hours=5, minutes=30)))
    line = inv["line_items"][0]["description"]
    assert line.startswith("Consultation with Dr. Paid Consult (General Medicine) on ") and \
        start_local.strftime("%d %b %Y, %H:%M") in line and "(Asia/Kolkata), Sunrise MG Road" in line, line
    assert "Dr. Paid Consult" in text and " IST" in text and " UTC" not in text
    assert_problem(api.get(f"/v1/invoices/{got}", token=new_patient(api).access), 404)
    # The next invoice of the same organization takes the next number (no gaps).
    patient2, appt2, p2 = captured_payment(api, paid_clinic, 10)
    inv2_id = wait_for(lambda: api.get(f"/v1/payments/{p2['id']}", token=patient2.access).json().get("invoice_id"))
    inv2 = api.get(f"/v1/invoices/{inv2_id}", token=patient2.access).json()
    assert int(inv2["number"].rsplit("/", 1)[1]) == int(inv["number"].rsplit("/", 1)[1]) + 1
    # A refund gets a credit note pointing at the invoice.
    owner = paid_clinic["owner"]
    tokens = api.post("/v1/auth/refresh", {"refresh_token": owner.refresh}).json()
    owner.access, owner.refresh = tokens["access_token"], tokens["refresh_token"]
    api.post(f"/v1/payments/{p['id']}/refunds", {"reason": "goodwill"}, token=owner.access, headers={"Idempotency-Key": str(uuid.uuid4())})
    refunds = api.get(f"/v1/payments/{p['id']}", token=patient.access).json()["refunds"]
    assert refunds and refunds[0]["status"] == "processed"


def test_clinic_cancellation_refunds_in_full_even_after_the_cutoff(api, paid_clinic, db):
    owner = paid_clinic["owner"]
    org_id = paid_clinic["org"]["id"]
    assert api.patch(f"/v1/organizations/{org_id}", {"late_cancellation_refund_percent": 40},
                     token=owner.access).status_code == 200
    patient, appt, p = captured_payment(api, paid_clinic, 11)
    assert wait_for(lambda: api.get(f"/v1/appointments/{appt['id']}", token=patient.access).json()["status"] == "booked")
    # Past the cut-off for this practitioner, then the patient cancels.
    db(f"UPDATE appointment.availability SET cancellation_cutoff_minutes = 43200 WHERE practitioner_id = "
       f"'{paid_clinic['practitioner']['id']}'")
    # Patients cannot cancel a booked appointment past the cut-off online; the clinic can.
    assert_problem(api.post(f"/v1/appointments/{appt['id']}/cancel", {}, token=patient.access), 409)
    # The clinic cancelling refunds everything, whatever the organization's late-cancellation percentage.
    assert api.post(f"/v1/appointments/{appt['id']}/cancel", {"reason": "doctor unwell"},
                    token=paid_clinic["doctor"].access).status_code == 200
    assert wait_for(lambda: api.get(f"/v1/payments/{p['id']}", token=patient.access).json()["status"] == "refunded",
                    timeout=15)


def test_verify_then_webhook_converge_and_old_events_do_not_regress(api, paid_clinic, db):
    patient, appt = pending(api, paid_clinic, 12)
    p = create(api, patient, appt["id"]).json()
    result = sim_pay(p["gateway_order_id"], outcome="approve", webhook=True, out_of_order=True, duplicates=1)
    r = api.post(f"/v1/payments/{p['id']}/verify",
                 {"gateway_payment_id": result["razorpay_payment_id"], "signature": result["razorpay_signature"]},
                 token=patient.access)
    assert r.status_code == 200 and r.json()["status"] == "captured"
    time.sleep(1.0)  # duplicates and the late "authorized" event arrive
    assert api.get(f"/v1/payments/{p['id']}", token=patient.access).json()["status"] == "captured"
    assert db(f"SELECT count(*) FROM payment.ledger WHERE payment_id = '{p['id']}' AND kind = 'captured'") == "1"
    assert db(f"SELECT count(*) FROM payment.invoices WHERE payment_id = '{p['id']}'") == "1"
    hist = api.get(f"/v1/appointments/{appt['id']}", token=patient.access).json()["status_history"]
    assert [h["to"] for h in hist].count("booked") == 1


def run_reconcile():
    import subprocess
    env = dict(os.environ)
    for line in os.environ["PAYMENT_ENV"].splitlines():
        k, _, v = line.partition("=")
        env[k] = v
    return subprocess.run([os.environ["PAYMENT_BIN"], "reconcile"], env=dict(env, LOG_LEVEL="warn"),
                          capture_output=True, text=True, timeout=120)


def test_reconcile_finds_a_capture_missing_from_the_ledger(api, paid_clinic):
    patient, appt = pending(api, paid_clinic, 13)
    p = create(api, patient, appt["id"]).json()
    # Money moved at the gateway, but no webhook and no verify reached us.
    result = sim_pay(p["gateway_order_id"], outcome="approve", webhook=False)
    out = run_reconcile()
    assert out.returncode == 1, out.stdout + out.stderr
    assert f"DIFFERENCE payment {p['id']}" in out.stdout
    # The client's verify records it; the ledger and the gateway agree again.
    api.post(f"/v1/payments/{p['id']}/verify",
             {"gateway_payment_id": result["razorpay_payment_id"], "signature": result["razorpay_signature"]},
             token=patient.access)
    out = run_reconcile()
    assert out.returncode == 0 and " 0 difference(s)" in out.stdout, out.stdout


def test_restart_of_payment_service_mid_flow_loses_nothing(api, paid_clinic, db):
    import signal
    import subprocess
    patient, appt = pending(api, paid_clinic, 14)
    p = create(api, patient, appt["id"]).json()
    pidfile = os.path.join(os.environ["HEALTHTECH_DATA"], "run", "payment.pid")
    old = int(open(pidfile).read())
    os.kill(old, signal.SIGTERM)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            os.kill(old, 0)
            if "zombie" in open(f"/proc/{old}/status").read().lower():
                break
            time.sleep(0.05)
        except (ProcessLookupError, FileNotFoundError):
            break
    # The patient pays while the service is down: the gateway keeps retrying its webhook.
    sim_pay(p["gateway_order_id"], outcome="approve")
    time.sleep(0.3)
    env = dict(os.environ)
    for line in os.environ["PAYMENT_ENV"].splitlines():
        k, _, v = line.partition("=")
        env[k] = v
    restart_supervised("payment", [os.environ["PAYMENT_BIN"]], env)
    assert wait_for(lambda: requests.get(f"{api.base}/ready", timeout=5).status_code == 200, timeout=20)
    assert wait_for(lambda: api.get(f"/v1/payments/{p['id']}", token=patient.access).json().get("status")
                    == "captured", timeout=20)
    assert wait_for(lambda: api.get(f"/v1/appointments/{appt['id']}", token=patient.access).json()["status"] == "booked")
    assert db(f"SELECT count(*) FROM payment.ledger WHERE payment_id = '{p['id']}' AND kind = 'captured'") == "1"


def test_a_capture_whose_webhooks_never_arrive_is_recovered(api, paid_clinic, db):
    # The gateway took the money but no webhook (and no client verify) ever reaches us:
    # payment-service asks the gateway about payments still waiting.
    patient, appt = pending(api, paid_clinic, 15)
    p = create(api, patient, appt["id"]).json()
    sim_pay(p["gateway_order_id"], outcome="approve", webhook=False)
    assert wait_for(lambda: api.get(f"/v1/payments/{p['id']}", token=patient.access).json()["status"]
                    == "captured", timeout=20)
    assert wait_for(lambda: api.get(f"/v1/appointments/{appt['id']}", token=patient.access).json()["status"] == "booked")


def test_a_refund_that_settles_later_completes_by_webhook(api, paid_clinic, db):
    """Gateways often answer a refund "pending" and settle it by webhook later: the webhook
    must then do all a settled refund does (ledger, payment state, credit note, event)."""
    patient, appt, p = captured_payment(api, paid_clinic, 0)
    owner = paid_clinic["owner"]
    refreshed = api.post("/v1/auth/refresh", {"refresh_token": owner.refresh}).json()  # org_admin role in the token
    owner.access = refreshed["access_token"]
    assert requests.post(f"{GATEWAY}/v1/test/refunds", json={"settle": "later"}, timeout=5).status_code == 200
    try:
        r = api.post(f"/v1/payments/{p['id']}/refunds", {"amount": {"amount_minor": 30000, "currency": "INR"},
                     "reason": "goodwill"}, token=owner.access, headers={"Idempotency-Key": str(uuid.uuid4())})
    finally:
        requests.post(f"{GATEWAY}/v1/test/refunds", json={"settle": "now"}, timeout=5)
    assert r.status_code == 201 and r.json()["status"] == "pending", r.text
    assert api.get(f"/v1/payments/{p['id']}", token=patient.access).json()["status"] == "captured"
    got = wait_for(lambda: (lambda x: x if x["status"] == "partially_refunded" else None)(
        api.get(f"/v1/payments/{p['id']}", token=patient.access).json()))
    assert got and got["amount_refunded"]["amount_minor"] == 30000, got
    assert got["refunds"][0]["status"] == "processed"
    assert db(f"SELECT -sum(amount_minor) FROM payment.ledger WHERE payment_id = '{p['id']}' "
              "AND kind = 'refunded'") == "30000"
    assert db(f"SELECT count(*) FROM payment.invoices WHERE refund_id = '{r.json()['id']}'") == "1"  # credit note
    notes = wait_for(lambda: [n for n in api.get("/v1/notifications", token=patient.access).json()["items"]
                              if n["type"] == "refund.processed"])
    assert len(notes) == 1 and "INR 300.00" in notes[0]["body"], notes


# ---- issue 12: every step of a payment resumes after a crash between two of them

def payment_env():
    env = {}
    for line in os.environ["PAYMENT_ENV"].splitlines():
        k, _, v = line.partition("=")
        env[k] = v
    return env


def test_a_capture_whose_appointment_was_never_confirmed_is_settled(api, paid_clinic, db):
    # payment-service killed after it stored the capture and before it confirmed the
    # appointment: the gateway's webhook retry must not be taken for a duplicate, and without
    # any retry the sweeper confirms the appointment.
    patient, appt = pending(api, paid_clinic, 16)
    p = create(api, patient, appt["id"]).json()
    paid = sim_pay(p["gateway_order_id"], outcome="approve", webhook=False)
    db(f"UPDATE payment.payments SET status = 'captured', gateway_payment_id = '{paid['razorpay_payment_id']}', "
       f"captured_at = now() - interval '1 minute', settled_at = NULL WHERE id = '{p['id']}'")
    db(f"INSERT INTO payment.ledger (payment_id, kind, amount_minor, currency, gateway_ref) VALUES "
       f"('{p['id']}', 'captured', 75000, 'INR', '{paid['razorpay_payment_id']}')")
    assert wait_for(lambda: api.get(f"/v1/appointments/{appt['id']}", token=patient.access).json()["status"]
                    == "booked", timeout=20)
    assert wait_for(lambda: db(f"SELECT settled_at IS NOT NULL FROM payment.payments WHERE id = '{p['id']}'")
                    == "t")
    out = run_reconcile()
    assert f"UNSETTLED payment {p['id']}" not in out.stdout, out.stdout


def test_a_capture_whose_slot_is_gone_is_refunded_in_full_by_the_sweeper(api, paid_clinic, db):
    patient, appt = pending(api, paid_clinic, 17)
    p = create(api, patient, appt["id"]).json()
    paid = sim_pay(p["gateway_order_id"], outcome="approve", webhook=False)
    db(f"UPDATE appointment.appointments SET status = 'expired' WHERE id = '{appt['id']}'")
    db(f"UPDATE payment.payments SET status = 'captured', gateway_payment_id = '{paid['razorpay_payment_id']}', "
       f"captured_at = now() - interval '1 minute', settled_at = NULL WHERE id = '{p['id']}'")
    db(f"INSERT INTO payment.ledger (payment_id, kind, amount_minor, currency, gateway_ref) VALUES "
       f"('{p['id']}', 'captured', 75000, 'INR', '{paid['razorpay_payment_id']}')")
    assert wait_for(lambda: api.get(f"/v1/payments/{p['id']}", token=patient.access).json()["status"]
                    == "refunded", timeout=20)


def test_a_webhook_whose_processing_was_cut_short_is_applied_on_retry(api, paid_clinic, db):
    patient, appt = pending(api, paid_clinic, 18)
    p = create(api, patient, appt["id"]).json()
    paid = sim_pay(p["gateway_order_id"], outcome="approve", webhook=False)
    event = {"id": f"evt_{uuid.uuid4().hex[:14]}", "event": "payment.captured",
             "payload": {"payment": {"entity": {"id": paid["razorpay_payment_id"], "order_id": p["gateway_order_id"],
                                                "amount": 75000, "currency": "INR", "status": "captured"}}}}
    # The first delivery was recorded, then the process died.
    db(f"INSERT INTO payment.webhook_events (event_id, gateway, event_type, payment_ref, applied) VALUES "
       f"('{event['id']}', 'razorpay', 'payment.captured', '{paid['razorpay_payment_id']}', false)")
    raw = json.dumps(event).encode()
    sig = hmac.new(payment_env()["GATEWAY_WEBHOOK_SECRET"].encode(), raw, hashlib.sha256).hexdigest()
    r = requests.post(f"{api.base}/v1/payments/webhooks/razorpay", data=raw, timeout=10,
                      headers={"Content-Type": "application/json", "X-Razorpay-Signature": sig})
    assert r.status_code == 200 and r.json()["applied"] is True, r.text
    assert api.get(f"/v1/appointments/{appt['id']}", token=patient.access).json()["status"] == "booked"
    again = requests.post(f"{api.base}/v1/payments/webhooks/razorpay", data=raw, timeout=10,
                          headers={"Content-Type": "application/json", "X-Razorpay-Signature": sig})
    assert again.status_code == 200 and again.json()["applied"] is False  # now it is a duplicate


def test_a_payment_left_creating_is_completed_from_the_gateway(api, paid_clinic, db):
    # payment-service killed after the gateway made the order and before the row recorded it.
    patient, appt = pending(api, paid_clinic, 19)
    key = str(uuid.uuid4())
    request_hash = hashlib.sha256(f"appointment:{appt['id']}".encode()).hexdigest()
    # The order exists at the gateway before the row is visible: the resumption (every
    # second) must never see the row without its order, or it rightly drops the payment.
    pid = str(uuid.uuid4())
    env = payment_env()
    order = requests.post(f"{GATEWAY}/v1/orders", json={"amount": 75000, "currency": "INR", "receipt": pid},
                          auth=(env["GATEWAY_KEY_ID"], env["GATEWAY_KEY_SECRET"]), timeout=10).json()
    db(f"INSERT INTO payment.payments (id, appointment_id, payer_id, organization_id, amount_minor, currency, "
       f"status, idempotency_key, request_hash, created_at) VALUES ('{pid}', '{appt['id']}', '{patient.id}', "
       f"'{appt['organization_id']}', 75000, 'INR', 'creating', '{key}', '{request_hash}', "
       f"now() - interval '1 minute')")
    assert wait_for(lambda: db(f"SELECT status FROM payment.payments WHERE id = '{pid}'") == "created", timeout=25)
    r = create(api, patient, appt["id"], key=key)
    assert r.status_code == 201, r.text
    assert r.json()["id"] == pid and r.json()["gateway_order_id"] == order["id"]
    sim_pay(order["id"], outcome="approve")
    assert wait_for(lambda: api.get(f"/v1/appointments/{appt['id']}", token=patient.access).json()["status"] == "booked")


def test_a_payment_whose_order_was_never_made_is_dropped_and_can_be_retried(api, paid_clinic, db):
    patient, appt = pending(api, paid_clinic, 20)
    key = str(uuid.uuid4())
    request_hash = hashlib.sha256(f"appointment:{appt['id']}".encode()).hexdigest()
    # Young at first: the resumption (every second) leaves a row under 10 s alone, so the
    # answer below is deterministic; then it is aged, as if its process died a minute ago.
    pid = db(f"INSERT INTO payment.payments (appointment_id, payer_id, organization_id, amount_minor, currency, "
             f"status, idempotency_key, request_hash, created_at) VALUES ('{appt['id']}', '{patient.id}', "
             f"'{appt['organization_id']}', 75000, 'INR', 'creating', '{key}', '{request_hash}', "
             f"now()) RETURNING id").splitlines()[0]
    assert_problem(create(api, patient, appt["id"], key=key), 503)  # still being created, for now
    db(f"UPDATE payment.payments SET created_at = now() - interval '1 minute' WHERE id = '{pid}'")
    assert wait_for(lambda: db(f"SELECT count(*) FROM payment.payments WHERE id = '{pid}'") == "0", timeout=25)
    r = create(api, patient, appt["id"], key=key)
    assert r.status_code == 201 and r.json()["status"] == "created", r.text


def test_payments_page_like_every_list(api, paid_clinic):
    """Issue 13, item 8: ?limit=1 used to return one item and no next_page_token, and any
    page_token was ignored. Now the list pages (newest first), filters by status in the
    query, and refuses a forged token or a limit out of range."""
    patient = new_patient(api)
    free = later_slots(api, paid_clinic["practitioner"]["id"])
    made = []
    for slot in (free[0], free[12], free[24]):
        a = book(api, patient, paid_clinic["practitioner"], slot)
        assert a.status_code == 201, a.text
        p = create(api, patient, a.json()["id"])
        assert p.status_code == 201, p.text
        made.append(p.json()["id"])
    seen, token, pages = [], None, 0
    while True:
        r = api.get("/v1/payments", params={"limit": 1, **({"page_token": token} if token else {})},
                    token=patient.access)
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["items"]) <= 1
        seen += [x["id"] for x in body["items"]]
        pages += 1
        token = body.get("next_page_token")
        if not token:
            break
        assert pages < 10, "paging does not end"
    assert sorted(seen) == sorted(made) and len(seen) == 3, (seen, made)
    assert seen == list(reversed(made)), "newest first"
    # The status filter is applied before paging, not to a page.
    sim_pay(api.get(f"/v1/payments/{made[1]}", token=patient.access).json()["gateway_order_id"], outcome="approve")
    assert wait_for(lambda: api.get(f"/v1/payments/{made[1]}", token=patient.access).json()["status"] == "captured")
    r = api.get("/v1/payments", params={"limit": 1, "status": "captured"}, token=patient.access)
    assert [x["id"] for x in r.json()["items"]] == [made[1]] and not r.json().get("next_page_token")
    assert_problem(api.get("/v1/payments", params={"limit": 0}, token=patient.access), 400, "VALIDATION_FAILED")
    assert_problem(api.get("/v1/payments", params={"limit": 101}, token=patient.access), 400, "VALIDATION_FAILED")
    assert_problem(api.get("/v1/payments", params={"page_token": token or "AAAA" + "x" * 40}, token=patient.access),
                   400, "INVALID_PAGE_TOKEN")
    # Another patient's token reads nothing of this patient's list.
    other = new_patient(api)
    first = api.get("/v1/payments", params={"limit": 1}, token=patient.access).json()["next_page_token"]
    r = api.get("/v1/payments", params={"limit": 1, "page_token": first}, token=other.access)
    assert r.status_code in (200, 400) and (r.status_code == 400 or r.json()["items"] == [])
