"""Orders through the Unified Health Interface: a patient's app (signing as NHA's reference
apps do) finds a doctor's free slot, holds it (init), books it (confirm), reads it (status)
and cancels it (cancel), and the clinic sees a real appointment of a platform patient
matched by ABHA address. Every request is held to the schema NHA's reference HSPA enforces
(services/uhi/tests/schemas); every callback is signed and checked by the simulator."""
import concurrent.futures
import datetime as dt
import json
import re
import time
import uuid

import jsonschema
import pytest
import requests

from conftest import assert_problem, make_practitioner, refresh
from test_appointments import book, new_patient, publish, slots, week_rules
from test_payments import sim_pay, wait_for
from test_uhi import (IST, SCHEMAS, Participant, assert_ack, assert_nack, doctor_on_uhi, env,  # noqa: F401
                      send)

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def schema(action):
    return jsonschema.Draft4Validator(json.loads((SCHEMAS / f"hspa-{action}-schema.json").read_text()))


def valid(action, body):
    errors = sorted(f"{list(e.path)}: {e.message}" for e in schema(action).iter_errors(body))
    assert errors == [], errors
    return body


class App:
    """A patient's app on one transaction with the platform as HSPA."""

    def __init__(self, api, participant=None):
        self.api = api
        self.p = participant or Participant()
        self.me = api.get("/uhi/subscriber").json()
        self.transaction_id = str(uuid.uuid4())

    def context(self, action):
        return self.p.context(action, transaction_id=self.transaction_id,
                              provider_id=self.me["subscriber_id"], provider_uri=self.me["subscriber_url"])

    def ask(self, action, message, check=True):
        """Sends `action`, returns (the synchronous answer, the context sent)."""
        body = {"context": self.context(action), "message": message}
        if check and action in ("init", "confirm", "status", "cancel"):
            valid(action, body)
        return send(self.api, action, body, participant=self.p), body["context"]

    def answer(self, action, message, check=True):
        """Sends `action` and returns the body of its callback (on_<action>)."""
        r, ctx = self.ask(action, message, check)
        assert_ack(r)
        got = [m for m in self.p.received(self.transaction_id, at_least=1, timeout=30)
               if m["message_id"] == ctx["message_id"]]
        deadline = dt.datetime.now() + dt.timedelta(seconds=30)
        while not got and dt.datetime.now() < deadline:
            got = [m for m in self.p.received(self.transaction_id, at_least=99, timeout=0.5)
                   if m["message_id"] == ctx["message_id"]]
        assert len(got) == 1, got
        cb = got[0]
        assert (cb["action"], cb["verified"], cb["via_gateway"]) == (f"on_{action}", True, False), cb
        assert cb["body"]["context"]["transaction_id"] == self.transaction_id
        return cb["body"]

    def slots(self, doctor, kind="Physical"):
        start = dt.datetime.now(IST).replace(microsecond=0) + dt.timedelta(days=1)
        message = {"intent": {"provider": {"fulfillments": [{
            "type": kind, "agent": {"id": doctor["hpr"]},
            "start": {"time": {"timestamp": start.strftime("%Y-%m-%dT%H:%M:%S")}},
            "end": {"time": {"timestamp": (start + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S")}}}]}}}
        on_search = self.answer("search", message)
        [place] = on_search["message"]["catalog"]["providers"]
        return place

    def init_message(self, place, fulfillment, abha, name="Ravi Kumar", phone="9812345678"):
        agent = fulfillment["agent"]
        tags = agent.get("tags", {})
        return {"order": {
            "provider": {"id": place["id"], "descriptor": {"name": place["descriptor"]["name"]}},
            "item": {"id": place["items"][0]["id"], "descriptor": {"name": "Consultation"},
                     "price": place["items"][0]["price"], "fulfillment_id": fulfillment["id"]},
            "fulfillment": {"id": fulfillment["id"], "type": fulfillment["type"],
                            "agent": {"id": agent["id"], "name": agent["name"], "gender": agent.get("gender", "F"),
                                      "tags": {"@abdm/gov.in/education": tags.get("@abdm/gov.in/education", "MBBS"),
                                               "@abdm/gov.in/experience": tags.get("@abdm/gov.in/experience", "5"),
                                               "@abdm/gov.in/languages": tags["@abdm/gov.in/languages"],
                                               "@abdm/gov.in/hpr_id": tags["@abdm/gov.in/hpr_id"]}},
                            "start": fulfillment["start"], "end": fulfillment["end"],
                            "tags": {"@abdm/gov.in/slot_id": fulfillment["id"]}},
            "billing": {"name": name, "phone": phone, "email": "ravi.k@example.in",
                        "address": {"door": "21", "name": "Lake View", "locality": "Indiranagar",
                                    "city": "Bengaluru", "state": "Karnataka", "country": "IND"}},
            "customer": {"id": abha, "person": {"gender": "M", "dob": "1988-04-12", "dayOfBirth": 12,
                                                "monthOfBirth": 4, "yearOfBirth": 1988}},
            "payment": {"params": {"redirect_url": f"{self.p.url}/paid"}}}}

    @staticmethod
    def confirm_message(on_init_order):
        """What NHA's reference app sends back: the HSPA's order, in the confirm schema's fields."""
        o = on_init_order
        keep = ("id", "item", "fulfillment", "billing", "quote", "payment", "customer", "provider")
        order = {k: json.loads(json.dumps(o[k])) for k in keep}
        order["fulfillment"]["tags"] = {k: v for k, v in order["fulfillment"].get("tags", {}).items()
                                        if k == "@abdm/gov.in/slot_id"}
        order["provider"] = {"id": o["provider"]["id"]}
        return {"order": order}


def abha():
    return f"ravi.{uuid.uuid4().hex[:8]}@sbx"


def clinic_view(api, verified_org, appointment_id):
    owner = verified_org["owner"]
    refresh(api, owner)  # the token names the roles it had: the clinic's came later
    r = api.get(f"/v1/appointments/{appointment_id}", token=owner.access)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_patient_app_books_checks_and_cancels_a_doctor(api, doctor_on_uhi, db):
    app = App(api)
    place = app.slots(doctor_on_uhi)
    first = place["fulfillments"][0]
    patient = abha()

    on_init = app.answer("init", app.init_message(place, first, patient))
    assert "error" not in on_init, on_init["error"]
    order = on_init["message"]["order"]
    assert UUID.match(order["id"]), order["id"]
    assert order["quote"] == {"price": {"currency": "INR", "value": "650.00"}, "breakup": [
        {"title": "Consultation", "price": {"currency": "INR", "value": "650.00"}},
        {"title": "CGST @ 0%", "price": {"currency": "INR", "value": "0.00"}},
        {"title": "SGST @ 0%", "price": {"currency": "INR", "value": "0.00"}}]}
    assert (order["payment"]["type"], order["payment"]["status"], order["payment"]["params"]["amount"]) == \
        ("ON-ORDER", "NOT-PAID", "650.00")
    assert [t["type"] for t in order["terms"]] == ["Commercial", "Settlement", "Cancellation", "Refund", "Payment"]
    assert {t["termsState"] for t in order["terms"]} == {"INITIATED"}
    assert (order["fulfillment"]["start"], order["fulfillment"]["end"]) == (first["start"], first["end"])
    assert order["customer"]["id"] == patient
    # The same init again under another message id (an app's retry): the same hold.
    again = app.answer("init", app.init_message(place, first, patient))
    assert again["message"]["order"]["id"] == order["id"]

    # Held: the clinic sees the hold under the patient's name; nobody else can book the slot.
    seen = clinic_view(api, doctor_on_uhi, order["id"])
    assert (seen["status"], seen["patient"]["full_name"], seen["practitioner_id"]) == \
        ("pending_payment", "Ravi Kumar", doctor_on_uhi["practitioner"]["id"])
    [slot] = [s for s in slots(api, doctor_on_uhi["practitioner"]["id"],
                               **{"from": seen["start"], "to": seen["end"]})] or [None]
    assert slot is None, "a held slot is still offered"
    other = new_patient(api)
    taken = book(api, other, doctor_on_uhi["practitioner"],
                 {"facility_id": seen["facility_id"], "start": seen["start"], "mode": "in_person"})
    assert taken.status_code in (400, 409), taken.text

    on_confirm = app.answer("confirm", App.confirm_message(order))  # held to the schema
    assert "error" not in on_confirm, on_confirm["error"]
    confirmed = on_confirm["message"]["order"]
    assert (confirmed["id"], confirmed["state"]) == (order["id"], "CONFIRMED")
    auth = confirmed["fulfillment"]["authorization"]
    assert auth["type"] == "PIN" and re.fullmatch(r"\d{4}", auth["token"]) and auth["status"] == "GENERATED"
    assert {t["termsState"] for t in confirmed["terms"]} == {"AGREED"}
    # The network's copy went to the gateway, signed by us.
    audits = requests.get(f"{env('UHI_GATEWAY_URL')}/dev/received", timeout=10,
                          params={"transaction_id": app.transaction_id}).json()
    deadline = dt.datetime.now() + dt.timedelta(seconds=20)
    while not [a for a in audits if a["action"] == "on_confirm_audit"] and dt.datetime.now() < deadline:
        audits = requests.get(f"{env('UHI_GATEWAY_URL')}/dev/received", timeout=10,
                              params={"transaction_id": app.transaction_id}).json()
    [audit] = [a for a in audits if a["action"] == "on_confirm_audit"]
    assert (audit["verified"], audit["from"]) == (True, app.me["subscriber_id"])
    assert audit["body"]["message"]["order"]["state"] == "CONFIRMED"

    # A real appointment: the clinic and the practitioner see it booked, paid at the clinic.
    seen = clinic_view(api, doctor_on_uhi, order["id"])
    assert (seen["status"], seen["payment_state"], seen["patient"]["full_name"]) == \
        ("booked", "at_clinic", "Ravi Kumar")
    mine = api.get("/v1/appointments", params={"role": "practitioner"},
                   token=doctor_on_uhi["doctor"].access).json()["items"]
    assert order["id"] in [a["id"] for a in mine]
    # One account per ABHA address, with no email and no password.
    assert db(f"SELECT count(*) || ',' || count(email) || ',' || count(password_hash) FROM iam.users "
              f"WHERE abha_address = '{patient}'") == "1,0,0"

    # The same confirm again (an app's retry under a new message id): the same booking and PIN.
    again = app.answer("confirm", App.confirm_message(order))
    assert again["message"]["order"]["fulfillment"]["authorization"]["token"] == auth["token"]

    on_status = app.answer("status", {"order": {"id": order["id"]}})
    assert on_status["message"]["order"]["state"] == "CONFIRMED"
    assert on_status["message"]["order"]["fulfillment"]["authorization"]["token"] == auth["token"]

    cancel = {"order": {"id": order["id"], "state": "CANCELLED", "fulfillment": {"tags": {
        "@abdm/gov.in/cancelledby": "patient", "@abdm/gov.in/cancelReason": "PATIENT_HEALTH_IMPROVED",
        "@abdm/gov.in/groupConsultation": "false"}}}}
    on_cancel = app.answer("cancel", cancel)
    assert "error" not in on_cancel, on_cancel["error"]
    assert on_cancel["message"]["order"]["state"] == "CANCELLED"
    seen = clinic_view(api, doctor_on_uhi, order["id"])
    assert (seen["status"], seen["cancellation_reason"]) == ("cancelled", "Patient: health improved")
    assert app.answer("status", {"order": {"id": order["id"]}})["message"]["order"]["state"] == "CANCELLED"
    assert app.answer("cancel", cancel)["message"]["order"]["state"] == "CANCELLED"  # said twice: same
    # The slot is free again, for anyone.
    assert [s["start"] for s in slots(api, doctor_on_uhi["practitioner"]["id"],
                                      **{"from": seen["start"], "to": seen["end"]})] == [seen["start"]]

    # The same patient again from another transaction: the same account.
    second = App(api, app.p)
    place = second.slots(doctor_on_uhi)
    on_init = second.answer("init", second.init_message(place, place["fulfillments"][1], patient.upper()))
    assert "error" not in on_init, on_init["error"]
    held = clinic_view(api, doctor_on_uhi, on_init["message"]["order"]["id"])
    assert held["patient_id"] == seen["patient_id"]


def test_a_uhi_init_and_a_platform_booking_race_for_one_slot(api, doctor_on_uhi):
    """Exactly one wins, whichever it is; the loser is told (on_init error or 409)."""
    for _ in range(3):
        app = App(api)
        place = app.slots(doctor_on_uhi)
        target = place["fulfillments"][-1]
        start = dt.datetime.fromisoformat(target["start"]["time"]["timestamp"]).replace(tzinfo=IST)
        platform_slot = {"facility_id": doctor_on_uhi["facility"]["id"], "mode": "in_person",
                         "start": start.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")}
        patient = new_patient(api)
        message = app.init_message(place, target, abha())
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            platform = pool.submit(book, api, patient, doctor_on_uhi["practitioner"], platform_slot)
            uhi = pool.submit(app.answer, "init", message)
            booked, on_init = platform.result(), uhi.result()
        uhi_won = "error" not in on_init
        assert uhi_won != (booked.status_code == 201), (booked.text, on_init)
        if not uhi_won:
            assert booked.status_code == 201
            assert on_init["error"]["code"] == "30008" and on_init["message"]["order"]["state"] == "FAILED"
        else:
            assert_problem(booked, 409, "SLOT_UNAVAILABLE")


def test_orders_that_cannot_be_served_are_refused(api, doctor_on_uhi):
    app = App(api)
    place = app.slots(doctor_on_uhi)
    message = app.init_message(place, place["fulfillments"][0], abha())

    # Refused at once (NACK): what no order can be made of.
    no_patient = json.loads(json.dumps(message))
    no_patient["order"]["customer"].pop("id")
    r, _ = app.ask("init", no_patient, check=False)
    assert_nack(r, 400, "UHI-1404")
    assert r.json()["error"]["path"] == "message.order.customer.id"
    r, _ = app.ask("confirm", {"order": {"id": "8441-696786-1042"}}, check=False)
    assert_nack(r, 400, "UHI-1404")
    r, _ = app.ask("confirm", {"order": {"id": str(uuid.uuid4()), "terms": [{"type": "Refund", "termsState": "INITIATED"}]}},
                   check=False)
    assert_nack(r, 400, "UHI-1404")
    assert r.json()["error"]["path"] == "message.order.terms[0].termsState"

    # Answered with an error: a slot we never offered, an order that is not this app's.
    unknown = json.loads(json.dumps(message))
    unknown["order"]["fulfillment"]["id"] = str(uuid.uuid4())
    unknown["order"]["fulfillment"]["tags"]["@abdm/gov.in/slot_id"] = unknown["order"]["fulfillment"]["id"]
    on_init = app.answer("init", unknown)
    assert on_init["error"]["code"] == "30004"
    on_init = app.answer("init", message)
    assert "error" not in on_init
    stranger = App(api)
    on_status = stranger.answer("status", {"order": {"id": on_init["message"]["order"]["id"]}})
    assert on_status["error"]["code"] == "30010"
    assert "order" not in on_status["message"] or on_status["message"]["order"].get("state") != "CONFIRMED"
    not_abha = json.loads(json.dumps(message))
    not_abha["order"]["customer"]["id"] = "ravi@gmail.com"
    not_abha["order"]["fulfillment"]["id"] = place["fulfillments"][2]["id"]
    assert app.answer("init", not_abha)["error"]["code"] == "30008"


def book_through_uhi(api, doctor, index=0, app=None):
    """A confirmed order of a new ABHA patient: (the app, the order as confirmed)."""
    app = app or App(api)
    place = app.slots(doctor)
    on_init = app.answer("init", app.init_message(place, place["fulfillments"][index], abha()))
    assert "error" not in on_init, on_init["error"]
    on_confirm = app.answer("confirm", App.confirm_message(on_init["message"]["order"]))
    assert "error" not in on_confirm, on_confirm["error"]
    return app, on_confirm["message"]["order"]


def unsolicited(app, action, count, timeout=30):
    """The `action` callbacks the app received on its transaction without asking."""
    deadline = dt.datetime.now() + dt.timedelta(seconds=timeout)
    while True:
        got = [m for m in app.p.received(app.transaction_id, at_least=0, timeout=0) if m["action"] == action]
        if len(got) >= count or dt.datetime.now() > deadline:
            return got
        time.sleep(0.2)


def test_what_the_clinic_does_reaches_the_patient_app(api, doctor_on_uhi):
    """The visit starts and is completed: on_update each time, with the network's copy; the
    clinic moves another order (on_update with the new time) and cancels it (on_cancel)."""
    doctor = doctor_on_uhi["doctor"]
    app, order = book_through_uhi(api, doctor_on_uhi, index=0)
    base = f"/v1/appointments/{order['id']}"
    for step in ("check-in", "start", "complete"):
        r = api.post(f"{base}/{step}", {"note": "ok"}, token=doctor.access)
        assert r.status_code == 200, r.text
    updates = unsolicited(app, "on_update", 2)
    assert [(u["verified"], u["body"]["message"]["order"]["state"]) for u in updates] == \
        [(True, "APPOINTMENT_STARTED"), (True, "COMPLETED")]
    for u in updates:
        ctx = u["body"]["context"]
        assert (ctx["action"], ctx["transaction_id"], ctx["consumer_id"]) == \
            ("on_update", app.transaction_id, app.p.subscriber_id)
        assert u["body"]["message"]["order"]["id"] == order["id"]
    assert len({u["body"]["context"]["message_id"] for u in updates}) == 2
    audits = requests.get(f"{env('UHI_GATEWAY_URL')}/dev/received", timeout=10,
                          params={"transaction_id": app.transaction_id}).json()
    assert sorted(a["action"] for a in audits if a["action"].startswith("on_update")) == \
        ["on_update_audit", "on_update_audit"]
    assert app.answer("status", {"order": {"id": order["id"]}})["message"]["order"]["state"] == "COMPLETED"

    app, order = book_through_uhi(api, doctor_on_uhi, index=1)
    owner = doctor_on_uhi["owner"]
    refresh(api, owner)
    later = App(api).slots(doctor_on_uhi)["fulfillments"][5]
    new_start = dt.datetime.fromisoformat(later["start"]["time"]["timestamp"]).replace(tzinfo=IST)
    r = api.post(f"/v1/appointments/{order['id']}/reschedule",
                 {"start": new_start.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")},
                 token=owner.access, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 200, r.text
    [moved] = unsolicited(app, "on_update", 1)
    f = moved["body"]["message"]["order"]["fulfillment"]
    assert (f["start"], f["end"]) == (later["start"], later["end"])
    assert moved["body"]["message"]["order"]["state"] == "CONFIRMED"
    assert f["authorization"]["valid_from"] == later["start"]["time"]["timestamp"]
    r = api.post(f"/v1/appointments/{order['id']}/cancel", {"reason": "Doctor unwell"}, token=owner.access)
    assert r.status_code == 200, r.text
    [cancelled] = unsolicited(app, "on_cancel", 1)
    o = cancelled["body"]["message"]["order"]
    assert (o["state"], o["fulfillment"]["tags"]["@abdm/gov.in/cancelledby"]) == ("CANCELLED", "doctor")
    assert "Doctor unwell" not in json.dumps(cancelled["body"])  # the clinic's words stay home
    # Nothing more follows an order that is over.
    assert api.post(f"/v1/appointments/{order['id']}/cancel", {}, token=owner.access).status_code == 409
    assert len(unsolicited(app, "on_cancel", 2, timeout=2)) == 1


@pytest.fixture
def video_doctor(api, verified_org):
    """A verified practitioner who consults by video only, for a fee."""
    tag = "v" + uuid.uuid4().hex[:7]
    hpr = f"vikram.{tag}@hpr.abdm"
    doctor, prof = make_practitioner(api, verified_org, display_name=f"Dr. Vikram {tag}",
                                     specialties=[f"uhi {tag}"], languages=["en"], consultation_modes=["video"],
                                     fees={"first_visit": {"amount_minor": 40000, "currency": "INR"}},
                                     hpr_address=hpr, hpr_id=f"{uuid.uuid4().int % 10**14:014d}")
    publish(api, doctor, prof["id"], week_rules(verified_org["facility"]["id"], mode="video"))
    return {"tag": tag, "hpr": hpr, "practitioner": prof, "doctor": doctor, **verified_org}


def test_an_online_consultation_is_paid_by_link_and_refunded_when_cancelled(api, video_doctor, db):
    app = App(api)
    place = app.slots(video_doctor, kind="Online")
    slot = place["fulfillments"][0]
    assert slot["type"] == "Online"
    on_init = app.answer("init", app.init_message(place, slot, abha()))
    assert "error" not in on_init, on_init["error"]
    order = on_init["message"]["order"]
    pay = order["payment"]
    assert (pay["type"], pay["status"], pay["params"]["amount"]) == ("PRE-ORDER", "NOT-PAID", "400.00")
    assert requests.get(pay["uri"], timeout=10).status_code == 200  # the gateway's checkout page
    assert pay["params"]["transaction_id"].startswith("order_")

    # Not paid yet: the order waits, it does not fail.
    early = app.answer("confirm", App.confirm_message(order))
    assert early["error"]["code"] == "30008" and "pay" in early["error"]["message"].lower()
    assert early["message"]["order"].get("state") != "FAILED"

    sim_pay(pay["params"]["transaction_id"], outcome="approve")
    assert wait_for(lambda: clinic_view(api, video_doctor, order["id"])["status"] == "booked", timeout=15)
    on_confirm = app.answer("confirm", App.confirm_message(order))
    assert "error" not in on_confirm, on_confirm["error"]
    confirmed = on_confirm["message"]["order"]
    seen = clinic_view(api, video_doctor, order["id"])
    assert confirmed["state"] == "CONFIRMED" and confirmed["payment"]["status"] == "PAID"
    assert confirmed["fulfillment"]["tags"]["@abdm/gov.in/teleconsultation/uri"] == seen["video_url"] != ""
    assert "authorization" not in confirmed["fulfillment"]  # no PIN for a video call

    on_cancel = app.answer("cancel", {"order": {"id": order["id"], "state": "CANCELLED", "fulfillment": {"tags": {
        "@abdm/gov.in/cancelledby": "patient", "@abdm/gov.in/cancelReason": "PATIENT_BOOKED_IN_ERROR",
        "@abdm/gov.in/groupConsultation": "false"}}}})
    assert on_cancel["message"]["order"]["state"] == "CANCELLED"
    assert wait_for(lambda: db(f"SELECT status FROM payment.payments WHERE appointment_id = '{order['id']}'")
                    == "refunded", timeout=20)


def test_the_simulated_patient_app_runs_the_whole_journey(api, doctor_on_uhi):
    """What anyone can run against ./healthtech up: the simulator's own app searches through
    the gateway, asks for slots, holds, confirms, checks and cancels."""
    r = requests.post(f"{env('UHI_EUA_URL')}/dev/journey", json={"specialty": f"uhi {doctor_on_uhi['tag']}"},
                      timeout=120)
    assert r.status_code == 200, r.text
    done = r.json()
    assert [(s["action"], s["callback"]) for s in done["steps"]] == [
        ("search", "on_search"), ("search", "on_search"), ("init", "on_init"), ("confirm", "on_confirm"),
        ("status", "on_status"), ("cancel", "on_cancel")]
    assert (done["doctor"], done["state"]) == (f"Dr. Asha {doctor_on_uhi['tag']}", "CONFIRMED")
    assert [s["body"]["message"]["order"]["state"] for s in done["steps"][3:]] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    seen = clinic_view(api, doctor_on_uhi, done["order_id"])
    assert (seen["status"], seen["patient"]["full_name"]) == ("cancelled", "Ravi Kumar")


def test_a_new_patient_booking_twice_at_once_gets_one_account(api, doctor_on_uhi, db):
    """Two apps (or two workers) holding slots for the same new ABHA address at the same
    moment: both holds, one account."""
    patient = abha()
    first, second = App(api), App(api)
    place = first.slots(doctor_on_uhi)
    second.slots(doctor_on_uhi)  # the offer is recorded for both transactions
    messages = [first.init_message(place, place["fulfillments"][2], patient),
                second.init_message(place, place["fulfillments"][5], patient)]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda pair: pair[0].answer("init", pair[1]), zip((first, second), messages)))
    assert [a.get("error") for a in answers] == [None, None], answers
    held = [clinic_view(api, doctor_on_uhi, a["message"]["order"]["id"]) for a in answers]
    assert held[0]["patient_id"] == held[1]["patient_id"]
    assert db(f"SELECT count(*) FROM iam.users WHERE abha_address = '{patient}'") == "1"
