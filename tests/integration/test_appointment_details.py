"""Every appointment says who, where, when and how much (issue 15, item 1): the practitioner,
the facility with its address, phone and a map link, the organization, the mode (and the
video room), the fee and where its payment stands; the practitioner and the clinic's staff
see whom they will see. Taken at booking, so lists need no call per row."""
import datetime as dt
import time
import uuid

import requests

from conftest import User, assert_problem, make_practitioner, refresh
from test_appointments import book, clinic, later_slots, publish, week_rules  # noqa: F401
from test_notifications import inbox, mails, wait_for


def patient_with_phone(api, phone):
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    r = api.post("/v1/auth/register", {"email": email, "password": "correct horse battery",
                                       "full_name": "Ritu Sharma", "phone": phone})
    assert r.status_code == 201, r.text
    r = api.post("/v1/auth/verify-email", {"token": api.last_token(email)})
    assert r.status_code == 200, r.text
    user = User(email=email, password="correct horse battery", id=None)
    api.login(user)
    return user


def clinic_with_place(api, verified_org, modes=("in_person",)):
    """A facility with a phone and coordinates, and a cardiologist with a fee."""
    org, owner = verified_org["org"], verified_org["owner"]
    fac = api.post(f"/v1/organizations/{org['id']}/facilities",
                   {"name": "Sunrise Indiranagar", "timezone": "Asia/Kolkata", "phone": "+918041230000",
                    "address": {"line1": "100 Feet Road", "line2": "HAL 2nd Stage", "city": "Bengaluru",
                                "state": "Karnataka", "pincode": "560038",
                                "latitude": 12.9719, "longitude": 77.6412}}, token=owner.access)
    assert fac.status_code == 201, fac.text
    fac = fac.json()
    doctor, prof = make_practitioner(
        api, {**verified_org, "facility": fac}, display_name="Dr. Meera Iyer",
        specialties=["Cardiology", "Internal Medicine"], languages=["en", "hi"], consultation_modes=list(modes),
        years_of_experience=12, facility_ids=[fac["id"]],
        fees={"first_visit": {"amount_minor": 80000, "currency": "INR"},
              "follow_up": {"amount_minor": 50000, "currency": "INR"}})
    rules = [rule for m in modes for rule in week_rules(fac["id"], mode=m)]
    publish(api, doctor, prof["id"], rules)
    return {"doctor": doctor, "practitioner": prof, "facility": fac, **{k: verified_org[k] for k in ("org", "owner")}}


def assert_names_the_visit(a, org_name):
    assert a["practitioner_name"] == "Dr. Meera Iyer"
    assert a["practitioner_specialty"] == "cardiology"  # specialties are stored normalised
    assert a["facility_name"] == "Sunrise Indiranagar"
    assert a["facility_address"]["line1"] == "100 Feet Road"
    assert a["facility_address"]["city"] == "Bengaluru" and a["facility_address"]["pincode"] == "560038"
    assert a["facility_phone"] == "+918041230000"
    assert a["organization_name"] == org_name
    assert a["map_url"] == "https://www.google.com/maps/search/?api=1&query=12.971900%2C77.641200"


def test_an_appointment_names_the_practitioner_the_place_and_the_money(api, verified_org):
    c = clinic_with_place(api, verified_org)
    patient = patient_with_phone(api, "+919812345678")
    # The patient gives a date of birth; a bad one is refused and changes nothing.
    assert_problem(api.patch("/v1/me", {"date_of_birth": "1990-02-30"}, token=patient.access), 400, "VALIDATION_FAILED")
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    assert_problem(api.patch("/v1/me", {"date_of_birth": future}, token=patient.access), 400, "VALIDATION_FAILED")
    r = api.patch("/v1/me", {"date_of_birth": "1990-04-21"}, token=patient.access)
    assert r.status_code == 200 and r.json()["date_of_birth"] == "1990-04-21", r.text
    today = dt.datetime.now(dt.timezone.utc).date()
    age = today.year - 1990 - ((today.month, today.day) < (4, 21))
    slot = later_slots(api, c["practitioner"]["id"])[0]
    r = book(api, patient, c["practitioner"], slot, pay_at_clinic=True)
    assert r.status_code == 201, r.text
    booked = r.json()
    org_name = verified_org["org"]["display_name"]
    assert_names_the_visit(booked, org_name)
    assert booked["fee"]["amount_minor"] in (80000, "80000") and booked["payment_state"] == "at_clinic"
    assert booked["mode"] == "in_person" and not booked.get("video_url")
    # The patient may cancel online until the practitioner's cut-off (240 minutes before).
    start = dt.datetime.fromisoformat(booked["start"].replace("Z", "+00:00"))
    until = dt.datetime.fromisoformat(booked["cancellable_until"].replace("Z", "+00:00"))
    assert start - until == dt.timedelta(minutes=240)
    # The patient's own view does not carry a patient contact: they are the patient.
    assert "patient" not in booked

    # The same on every read: one appointment, the patient's list.
    got = api.get(f"/v1/appointments/{booked['id']}", token=patient.access).json()
    assert_names_the_visit(got, org_name)
    assert got["cancellable_until"] == booked["cancellable_until"] and "patient" not in got
    listed = api.get("/v1/appointments", params={"role": "patient"}, token=patient.access).json()["items"]
    assert_names_the_visit(next(x for x in listed if x["id"] == booked["id"]), org_name)

    # The practitioner's day and the clinic's table name the patient, with a phone to call.
    day = api.get("/v1/appointments", params={"role": "practitioner"}, token=c["doctor"].access).json()["items"]
    mine = next(x for x in day if x["id"] == booked["id"])
    assert mine["patient"] == {"full_name": "Ritu Sharma", "phone": "+919812345678", "age": age}
    assert mine["reason"] == "Follow-up on blood pressure"
    refresh(api, verified_org["owner"])  # a token that carries the owner's new organization role
    table = api.get("/v1/appointments", params={"role": "org", "organization_id": verified_org["org"]["id"]},
                    token=verified_org["owner"].access).json()["items"]
    row = next(x for x in table if x["id"] == booked["id"])
    assert row["patient"]["full_name"] == "Ritu Sharma" and row["practitioner_name"] == "Dr. Meera Iyer"
    one = api.get(f"/v1/appointments/{booked['id']}", token=c["doctor"].access).json()
    assert one["patient"]["full_name"] == "Ritu Sharma"

    # The confirmation mail says with whom and where.
    got = wait_for(lambda: mails(patient.email))
    assert got, "no confirmation mail"
    body = got[0]["body"]
    assert "Dr. Meera Iyer" in body and "Sunrise Indiranagar" in body, body
    assert "100 Feet Road" in body and "+918041230000" in body, body
    n = wait_for(lambda: inbox(api, patient)["items"])
    assert "Dr. Meera Iyer" in n[0]["body"], n


def test_what_was_agreed_stays_when_the_clinic_changes_later(api, verified_org, db):
    c = clinic_with_place(api, verified_org)
    patient = patient_with_phone(api, "+919812345679")
    slot = later_slots(api, c["practitioner"]["id"])[1]
    r = book(api, patient, c["practitioner"], slot)
    assert r.status_code == 201, r.text
    booked = r.json()
    assert booked["status"] == "pending_payment" and booked["payment_state"] == "awaiting"
    # The practitioner renames themselves afterwards: the appointment keeps what was agreed.
    r = api.call("PUT", "/v1/practitioners/me",
                 {"display_name": "Dr. M. Iyer", "specialties": ["Cardiology"], "languages": ["en"],
                  "consultation_modes": ["in_person"], "facility_ids": [c["facility"]["id"]]},
                 token=c["doctor"].access)
    assert r.status_code == 200, r.text
    again = api.get(f"/v1/appointments/{booked['id']}", token=patient.access).json()
    assert again["practitioner_name"] == "Dr. Meera Iyer"
    # A hold that lapses leaves it unpaid.
    db(f"UPDATE appointment.appointments SET hold_expires_at = now() - interval '1 second' "
       f"WHERE id = '{booked['id']}'")
    deadline = time.time() + 15
    while time.time() < deadline:
        again = api.get(f"/v1/appointments/{booked['id']}", token=patient.access).json()
        if again["status"] == "expired":
            break
        time.sleep(0.2)
    assert again["status"] == "expired" and again["payment_state"] == "unpaid", again


def test_a_video_visit_has_a_room_that_survives_a_move(api, verified_org):
    c = clinic_with_place(api, verified_org, modes=("video",))
    patient = patient_with_phone(api, "+919812345670")
    slots = later_slots(api, c["practitioner"]["id"])
    r = book(api, patient, c["practitioner"], slots[0], pay_at_clinic=True)
    assert r.status_code == 201, r.text
    booked = r.json()
    assert booked["mode"] == "video"
    room = booked["video_url"]
    assert room.startswith("https://") and len(room) > 40, room
    # Another patient's video visit gets another room.
    other = patient_with_phone(api, "+919812345671")
    r = book(api, other, c["practitioner"], slots[2], pay_at_clinic=True)
    assert r.status_code == 201 and r.json()["video_url"] != room, r.text
    moved = api.post(f"/v1/appointments/{booked['id']}/reschedule", {"start": slots[4]["start"]},
                     token=patient.access, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert moved.status_code == 200, moved.text
    assert moved.json()["video_url"] == room and moved.json()["practitioner_name"] == "Dr. Meera Iyer"
    got = wait_for(lambda: [m for m in mails(patient.email) if room in m["body"]])
    assert got, "the confirmation mail gives the video room"


def test_a_free_visit_says_free(api, clinic):
    patient = patient_with_phone(api, "+919812345672")
    slot = later_slots(api, clinic["practitioner"]["id"])[0]
    r = book(api, patient, clinic["practitioner"], slot)
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["payment_state"] == "free" and a["practitioner_name"] == "Dr. Kavya Nair"
    assert a["facility_name"] == "Sunrise MG Road" and a["facility_address"]["line1"] == "12 MG Road"
    # No coordinates: the map searches the written address.
    assert a["map_url"].startswith("https://www.google.com/maps/search/?api=1&query=Sunrise%20MG%20Road%2C%2012%20MG%20Road")
    assert requests.utils.unquote(a["map_url"]).endswith("Bengaluru, Karnataka 560001")
