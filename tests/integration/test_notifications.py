"""Notifications through the REST API: events become in-app notifications and email (over
SMTP, to the development mail sink), each once, and only their owner sees them."""
import os
import subprocess
import time
import uuid

import requests

from conftest import assert_problem, stream_entries
from test_appointments import book, clinic, later_slots, new_patient  # noqa: F401 - fixture
from test_payments import captured_payment, paid_clinic  # noqa: F401 - fixture

SINK = os.environ.get("SMTP_SINK_URL", "")


def wait_for(fn, timeout=20):
    deadline = time.time() + timeout
    while True:
        value = fn()
        if value or time.time() > deadline:
            return value
        time.sleep(0.2)


def mails(address, account=False):
    """Emails the SMTP sink received for an address, without the account ones (the
    verification mail every test user gets) unless asked."""
    assert SINK, "SMTP_SINK_URL is not set (run through ./healthtech test)"
    items = requests.get(f"{SINK}/messages", params={"to": address}, timeout=5).json()["items"]
    return items if account else [m for m in items if "HealthTech email address" not in m["subject"]]


def inbox(api, user, **params):
    r = api.get("/v1/notifications", params=params, token=user.access)
    assert r.status_code == 200, r.text
    return r.json()


def test_booking_and_cancellation_notify_the_patient_once(api, clinic):  # noqa: F811
    patient, other = new_patient(api), new_patient(api)
    slot = later_slots(api, clinic["practitioner"]["id"])[0]
    r = book(api, patient, clinic["practitioner"], slot)
    assert r.status_code == 201, r.text
    appointment = r.json()

    items = wait_for(lambda: inbox(api, patient)["items"])
    assert [n["type"] for n in items] == ["appointment.booked"]
    n = items[0]
    assert n["category"] == "appointments" and n["read"] is False
    assert n["title"] == "Your appointment is confirmed"
    assert n["link"] == "/appointments/" + appointment["id"]  # an app path; emails carry the full URL
    assert "Asia/Kolkata" in n["body"]
    assert inbox(api, patient)["unread_count"] == 1
    # Nobody else sees it, nor can mark it.
    assert inbox(api, other)["items"] == []
    assert_problem(api.post(f"/v1/notifications/{n['id']}/read", {}, token=other.access), 404)
    assert_problem(api.post(f"/v1/notifications/{uuid.uuid4()}/read", {}, token=patient.access), 404)
    body = assert_problem(api.post("/v1/notifications/not-a-uuid/read", {}, token=patient.access), 400,
                          "VALIDATION_FAILED")
    assert body["errors"][0]["field"] == "notification_id"
    assert_problem(api.get("/v1/notifications"), 401)

    # The email went over SMTP to the address IAM holds (events carry no addresses).
    got = wait_for(lambda: mails(patient.email))
    assert len(got) == 1 and got[0]["subject"] == "Your appointment is confirmed", got
    assert appointment["id"] in got[0]["body"]
    assert mails(other.email) == []

    # Read one; the count follows; marking again changes nothing.
    r = api.post(f"/v1/notifications/{n['id']}/read", {}, token=patient.access)
    assert r.status_code == 200 and r.json()["read"] is True and r.json()["read_at"], r.text
    assert api.post(f"/v1/notifications/{n['id']}/read", {}, token=patient.access).json()["read_at"] == r.json()["read_at"]
    assert inbox(api, patient)["unread_count"] == 0

    # A cancellation is another event: one more notification and one more email.
    r = api.post(f"/v1/appointments/{appointment['id']}/cancel", {"reason": "travelling"}, token=patient.access)
    assert r.status_code == 200, r.text
    items = wait_for(lambda: [x for x in inbox(api, patient)["items"] if x["type"] == "appointment.cancelled"])
    assert len(items) == 1 and items[0]["title"] == "Your appointment was cancelled"
    assert wait_for(lambda: len(mails(patient.email)) == 2)
    assert inbox(api, patient, unread_only="true")["unread_count"] == 1
    assert [x["type"] for x in inbox(api, patient, unread_only="true")["items"]] == ["appointment.cancelled"]
    r = api.post("/v1/notifications/read-all", {}, token=patient.access)
    assert r.status_code == 200 and r.json()["marked_count"] == 1, r.text
    assert inbox(api, patient)["unread_count"] == 0
    # Quiet afterwards: nothing is sent twice.
    time.sleep(1.5)
    assert len(mails(patient.email)) == 2 and len(inbox(api, patient)["items"]) == 2


def test_a_redelivered_event_sends_nothing_twice(api, clinic):  # noqa: F811
    """The service crashed after storing but before acknowledging: Redis hands the entry
    out again, and the processed-events record makes it a no-op."""
    patient = new_patient(api)
    slot = later_slots(api, clinic["practitioner"]["id"])[0]
    assert book(api, patient, clinic["practitioner"], slot).status_code == 201
    assert wait_for(lambda: mails(patient.email))
    # Publish the same entry again, as a crash before XACK would.
    port = os.environ["REDIS_PORT"]
    entries = [e for _, e in stream_entries("healthtech:events:appointment")]
    mine = [e for e in entries if e.get("type") == "appointment.booked" and patient.id in e.get("payload", "")]
    assert len(mine) == 1, entries[-3:]
    args = [x for kv in mine[0].items() for x in kv]
    new_id = subprocess.run(["redis-cli", "-p", port, "--raw", "XADD", "healthtech:events:appointment", "*", *args],
                            capture_output=True, text=True, check=True).stdout.strip()

    def stream_id(text):
        ms, seq = text.split("-")
        return int(ms), int(seq)

    def consumed():
        # Other events (sweeps, other tests) may follow ours on the stream, so the group has
        # taken ours when its cursor is at or past it and ours is not pending any more.
        out = subprocess.run(["redis-cli", "-p", port, "--raw", "XINFO", "GROUPS", "healthtech:events:appointment"],
                             capture_output=True, text=True, check=True).stdout.splitlines()
        groups = [dict(zip(out[i:i + 12:2], out[i + 1:i + 12:2])) for i in range(0, len(out), 12)]
        taken = any(g.get("name") == "notification-service"
                    and stream_id(g.get("last-delivered-id", "0-0")) >= stream_id(new_id) for g in groups)
        pending = subprocess.run(["redis-cli", "-p", port, "--raw", "XPENDING", "healthtech:events:appointment",
                                  "notification-service", new_id, new_id, "1"],
                                 capture_output=True, text=True, check=True).stdout.strip()
        return taken and pending == ""
    assert wait_for(consumed), "notification-service did not take the redelivered entry"
    time.sleep(1)
    assert len(mails(patient.email)) == 1
    assert len(inbox(api, patient)["items"]) == 1


def test_a_captured_payment_notifies_the_payer_with_the_amount(api, paid_clinic):  # noqa: F811
    patient, _, payment = captured_payment(api, paid_clinic, 0)
    items = wait_for(lambda: [n for n in inbox(api, patient)["items"] if n["type"] == "payment.captured"])
    assert len(items) == 1, items
    assert items[0]["category"] == "payments" and "INR 750.00" in items[0]["body"]
    assert items[0]["link"].endswith("/payments/" + payment["id"])
    got = wait_for(lambda: [m for m in mails(patient.email) if m["subject"] == "Payment received"])
    assert len(got) == 1 and "INR 750.00" in got[0]["body"]


def test_an_entry_left_by_a_dead_consumer_is_claimed_and_handled(api, clinic):  # noqa: F811
    """Another replica took an entry and died before acknowledging it: once it has been idle
    for EVENT_CLAIM_IDLE_MS (2 s in tests) a live replica claims it, so the patient is still told."""
    patient = new_patient(api)
    slot = later_slots(api, clinic["practitioner"]["id"])[0]
    assert book(api, patient, clinic["practitioner"], slot).status_code == 201
    assert wait_for(lambda: inbox(api, patient)["items"])
    port, stream = os.environ["REDIS_PORT"], "healthtech:events:appointment"
    entries = [e for _, e in stream_entries(stream)]
    [event] = [e for e in entries if e.get("type") == "appointment.booked" and patient.id in e.get("payload", "")]
    event["id"] = str(uuid.uuid4())  # a new event, for the same patient
    # Publish it and hand it to consumer "ghost" in one step, so no live replica sees it first.
    script = ("local id = redis.call('XADD', KEYS[1], '*', unpack(ARGV)) "
              "local r = redis.call('XREADGROUP', 'GROUP', 'notification-service', 'ghost', 'COUNT', '1', "
              "'STREAMS', KEYS[1], '>') return {id, r[1][2][1][1]}")
    out = subprocess.run(["redis-cli", "-p", port, "--raw", "EVAL", script, "1", stream,
                          *[x for kv in event.items() for x in kv]], capture_output=True, text=True, check=True)
    new_id, taken = out.stdout.split()
    assert new_id == taken, out.stdout + out.stderr  # the ghost holds it
    booked = wait_for(lambda: len([n for n in inbox(api, patient)["items"] if n["type"] == "appointment.booked"]) == 2,
                      timeout=30)
    assert booked, "the stranded entry was never handled"
    assert wait_for(lambda: len(mails(patient.email)) == 2)
