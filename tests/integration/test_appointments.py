"""Availability, slots and booking through the REST API, including the race for one slot."""
import datetime as dt
import os
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import assert_problem, make_practitioner

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
EVERY_DAY = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def week_rules(facility_id, start="09:00", end="17:00", slot=30, mode="in_person", days=EVERY_DAY, **extra):
    return [{"facility_id": facility_id, "mode": mode, "weekday": d, "start_local": start, "end_local": end,
             "slot_minutes": slot, **extra} for d in days]


def publish(api, doctor, practitioner_id, rules, **over):
    body = {"rules": rules, "min_notice_minutes": 60, "horizon_days": 30, "cancellation_cutoff_minutes": 240}
    body.update(over)
    r = api.call("PUT", f"/v1/practitioners/{practitioner_id}/availability", body, token=doctor.access)
    assert r.status_code == 200, r.text
    return r.json()


def slots(api, practitioner_id, **params):
    r = api.get(f"/v1/practitioners/{practitioner_id}/slots", params=params)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def later_slots(api, practitioner_id):
    """Slots at least 26 h ahead: outside any cancellation cut-off, whatever the time of day."""
    start = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=26)
    return slots(api, practitioner_id, **{"from": start.isoformat(), "to": (start + dt.timedelta(days=7)).isoformat()})


def key_header():
    """A new Idempotency-Key: every call that books time or moves money needs one."""
    return {"Idempotency-Key": str(uuid.uuid4())}


def book(api, patient, practitioner, slot, key=None, **extra):
    body = {"practitioner_id": practitioner["id"], "facility_id": slot["facility_id"], "start": slot["start"],
            "mode": slot["mode"], "reason": "Follow-up on blood pressure"}
    body.update(extra)
    headers = {"Idempotency-Key": key or str(uuid.uuid4())}  # booking needs one
    return api.post("/v1/appointments", body, token=patient.access, headers=headers)


@pytest.fixture
def clinic(api, verified_org):
    """A free practitioner with hours every day 09:00–17:00 IST, 30-minute slots."""
    doctor, prof = make_practitioner(api, verified_org, display_name="Dr. Kavya Nair")
    publish(api, doctor, prof["id"], week_rules(verified_org["facility"]["id"]))
    return {"doctor": doctor, "practitioner": prof, **verified_org}


def new_patient(api):
    p = api.register(name="Patient " + uuid.uuid4().hex[:4])
    api.login(p)
    return p


def test_slots_follow_the_rules_in_the_facility_zone(api, clinic):
    items = slots(api, clinic["practitioner"]["id"])
    assert len(items) > 50
    now = dt.datetime.now(dt.timezone.utc)
    for s in items:
        start = dt.datetime.fromisoformat(s["start"].replace("Z", "+00:00"))
        end = dt.datetime.fromisoformat(s["end"].replace("Z", "+00:00"))
        local = start.astimezone(IST)
        assert s["timezone"] == "Asia/Kolkata" and s["mode"] == "in_person"
        assert (end - start) == dt.timedelta(minutes=30)
        assert dt.time(9, 0) <= local.time() <= dt.time(16, 30)
        assert local.minute in (0, 30)
        assert start >= now + dt.timedelta(minutes=59)  # minimum notice
    assert_problem(api.get(f"/v1/practitioners/{clinic['practitioner']['id']}/slots",
                           params={"from": "2026-01-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"}), 400)
    assert_problem(api.get(f"/v1/practitioners/{clinic['practitioner']['id']}/slots",
                           params={"from": "yesterday"}), 400)
    assert_problem(api.get(f"/v1/practitioners/{clinic['practitioner']['id']}/slots",
                           params={"from": "2027-01-02T00:00:00"}), 400)  # no offset
    # Beyond the 30-day horizon there is nothing.
    far = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=40)
    assert slots(api, clinic["practitioner"]["id"], **{"from": far.isoformat(), "to": (far + dt.timedelta(days=5)).isoformat()}) == []


def test_daylight_saving_change_in_london(api, verified_org):
    org, owner = verified_org["org"], verified_org["owner"]
    fac = api.post(f"/v1/organizations/{org['id']}/facilities",
                   {"name": "London Rooms", "timezone": "Europe/London",
                    "address": {"line1": "1 Harley St", "city": "London", "state": "London",
                                "pincode": "W1G 9QD", "country": "GB"}}, token=owner.access).json()
    doctor, prof = make_practitioner(api, verified_org, facility_ids=[fac["id"]])
    publish(api, doctor, prof["id"], week_rules(fac["id"], "09:00", "10:00", 60), min_notice_minutes=0, horizon_days=366)
    # Clocks go forward on Sunday 28 March 2027: 09:00 local is 09:00Z before, 08:00Z after.
    items = slots(api, prof["id"], **{"from": "2027-03-26T00:00:00Z", "to": "2027-03-31T00:00:00Z"})
    starts = [s["start"] for s in items]
    assert starts == ["2027-03-26T09:00:00Z", "2027-03-27T09:00:00Z", "2027-03-28T08:00:00Z",
                      "2027-03-29T08:00:00Z", "2027-03-30T08:00:00Z"], starts
    assert all(s["timezone"] == "Europe/London" for s in items)


def test_book_a_free_slot_and_nobody_else_can(api, clinic):
    prof = clinic["practitioner"]
    first = slots(api, prof["id"])[0]
    alice, bob = new_patient(api), new_patient(api)
    r = book(api, alice, prof, first)
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["status"] == "booked" and a["patient_id"] == alice.id and a["start"] == first["start"]
    assert a["fee"]["amount_minor"] == 0 and a["is_first_visit"] and a["timezone"] == "Asia/Kolkata"
    assert a["status_history"][0]["to"] == "booked"
    assert_problem(book(api, bob, prof, first), 409, "SLOT_UNAVAILABLE")
    assert first["start"] not in [s["start"] for s in slots(api, prof["id"])]
    # Only the patient, the practitioner and the clinic's staff see it; others get 404.
    assert api.get(f"/v1/appointments/{a['id']}", token=alice.access).json()["reason"] == "Follow-up on blood pressure"
    assert api.get(f"/v1/appointments/{a['id']}", token=clinic["doctor"].access).status_code == 200
    assert_problem(api.get(f"/v1/appointments/{a['id']}", token=bob.access), 404, "APPOINTMENT_NOT_FOUND")
    assert [x["id"] for x in api.get("/v1/appointments", token=alice.access).json()["items"]] == [a["id"]]
    assert api.get("/v1/appointments", token=bob.access).json()["items"] == []
    mine = api.get("/v1/appointments", params={"role": "practitioner"}, token=clinic["doctor"].access).json()["items"]
    assert a["id"] in [x["id"] for x in mine]


def test_bookings_that_are_not_slots_are_refused(api, clinic):
    prof, patient = clinic["practitioner"], new_patient(api)
    first = slots(api, prof["id"])[0]
    start = dt.datetime.fromisoformat(first["start"].replace("Z", "+00:00"))
    for bad_start in (start + dt.timedelta(minutes=7),                        # between slots
                      dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=10),  # inside the notice
                      start + dt.timedelta(days=45)):                          # beyond the horizon
        body = assert_problem(book(api, patient, prof, dict(first, start=bad_start.isoformat())), 400, "NOT_A_SLOT")
        assert body["errors"][0]["field"] == "start"
    assert_problem(book(api, patient, prof, dict(first, mode="video")), 400, "NOT_A_SLOT")
    assert_problem(book(api, patient, prof, dict(first, start="2026-13-01T10:00:00Z")), 400)
    assert_problem(book(api, patient, prof, dict(first, mode="hologram")), 400)
    assert_problem(book(api, patient, dict(prof, id=str(uuid.uuid4())), first), 404)
    assert api.get("/v1/appointments", token=patient.access).json()["items"] == []


def test_a_patient_cannot_hold_two_overlapping_appointments(api, clinic, verified_org):
    other_doc, other = make_practitioner(api, verified_org, display_name="Dr. Second")
    publish(api, other_doc, other["id"], week_rules(verified_org["facility"]["id"]))
    patient = new_patient(api)
    s1 = slots(api, clinic["practitioner"]["id"])[2]
    s2 = next(s for s in slots(api, other["id"]) if s["start"] == s1["start"])
    assert book(api, patient, clinic["practitioner"], s1).status_code == 201
    assert_problem(book(api, patient, other, s2), 409, "PATIENT_OVERLAP")


def test_lists_page_oldest_or_newest_first(api, clinic):
    patient = new_patient(api)
    free = later_slots(api, clinic["practitioner"]["id"])
    picked = [free[0], free[3], free[6]]  # apart, so none overlaps another
    for s in picked:
        assert book(api, patient, clinic["practitioner"], s).status_code == 201
    starts = sorted(s["start"] for s in picked)

    def walk(**params):
        seen, token = [], None
        while True:
            q = {"role": "patient", "limit": 2, **params, **({"page_token": token} if token else {})}
            r = api.get("/v1/appointments", params=q, token=patient.access)
            assert r.status_code == 200, r.text
            seen += [a["start"] for a in r.json()["items"]]
            token = r.json().get("next_page_token")
            if not token:
                return seen

    assert walk() == starts
    assert walk(newest_first="true") == starts[::-1]
    assert walk(newest_first="true", to=starts[2]) == starts[1::-1]  # before the last one, newest first
    assert_problem(api.get("/v1/appointments", params={"newest_first": "sometimes"}, token=patient.access), 400)


def test_slots_page_through_the_window_in_time_order(api, clinic):
    """Issue 13, item 8: slots page like every list (by time, within from/to); the pages
    together are exactly the unpaged listing, and a limit out of range is a 400."""
    prof = clinic["practitioner"]
    start = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=26)
    window = {"from": start.isoformat(), "to": (start + dt.timedelta(days=7)).isoformat()}
    whole = slots(api, prof["id"], limit=500, **window)
    assert len(whole) > 12, len(whole)
    paged, token = [], None
    while True:
        r = api.get(f"/v1/practitioners/{prof['id']}/slots",
                    params={**window, "limit": 5, **({"page_token": token} if token else {})})
        assert r.status_code == 200, r.text
        assert len(r.json()["items"]) <= 5
        paged += r.json()["items"]
        token = r.json().get("next_page_token")
        if not token:
            break
    assert paged == whole
    assert [s["start"] for s in paged] == sorted(s["start"] for s in paged)
    r = api.get(f"/v1/practitioners/{prof['id']}/slots", params={**window, "limit": 501})
    assert_problem(r, 400, "VALIDATION_FAILED")


def test_idempotency_key_replays_and_conflicts(api, clinic):
    prof, patient = clinic["practitioner"], new_patient(api)
    s = slots(api, prof["id"])[3]
    key = str(uuid.uuid4())
    r1, r2 = book(api, patient, prof, s, key), book(api, patient, prof, s, key)
    assert r1.status_code == 201 and r2.status_code == 201 and r1.json()["id"] == r2.json()["id"]
    assert_problem(book(api, patient, prof, s, key, reason="something else"), 409, "IDEMPOTENCY_KEY_REUSED")
    assert len(api.get("/v1/appointments", token=patient.access).json()["items"]) == 1


def test_status_machine(api, clinic):
    prof, doctor, patient = clinic["practitioner"], clinic["doctor"], new_patient(api)
    a = book(api, patient, prof, slots(api, prof["id"])[4]).json()
    base = f"/v1/appointments/{a['id']}"
    assert_problem(api.post(base + "/check-in", token=patient.access), 403)
    assert_problem(api.post(base + "/complete", token=doctor.access), 409, "INVALID_TRANSITION")
    for step, status in (("check-in", "checked_in"), ("start", "in_progress"), ("complete", "completed")):
        r = api.post(base + "/" + step, {"note": "ok"}, token=doctor.access)
        assert r.status_code == 200 and r.json()["status"] == status, r.text
    hist = [(h.get("from"), h["to"]) for h in api.get(base, token=patient.access).json()["status_history"]]
    assert hist == [(None, "booked"), ("booked", "checked_in"), ("checked_in", "in_progress"),
                    ("in_progress", "completed")]
    assert_problem(api.post(base + "/cancel", {"reason": "late"}, token=patient.access), 409)
    assert_problem(api.post(base + "/no-show", token=doctor.access), 409)


def test_cancel_and_reschedule(api, clinic):
    prof, patient, other = clinic["practitioner"], new_patient(api), new_patient(api)
    free = later_slots(api, prof["id"])
    a = book(api, patient, prof, free[5]).json()
    # Reschedule atomically: the new slot is taken, the old one freed.
    r = api.post(f"/v1/appointments/{a['id']}/reschedule", {"start": free[6]["start"]}, token=patient.access, headers=key_header())
    assert r.status_code == 200 and r.json()["start"] == free[6]["start"], r.text
    after = [s["start"] for s in later_slots(api, prof["id"])]
    assert free[5]["start"] in after and free[6]["start"] not in after
    # Into a taken slot: nothing changes.
    b = book(api, other, prof, free[7]).json()
    assert_problem(api.post(f"/v1/appointments/{a['id']}/reschedule", {"start": free[7]["start"]},
                            token=patient.access, headers=key_header()), 409, "SLOT_UNAVAILABLE")
    assert api.get(f"/v1/appointments/{a['id']}", token=patient.access).json()["start"] == free[6]["start"]
    assert_problem(api.post(f"/v1/appointments/{b['id']}/cancel", {}, token=patient.access), 404)
    r = api.post(f"/v1/appointments/{a['id']}/cancel", {"reason": "feeling better"}, token=patient.access)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["cancellation_reason"] == "feeling better"
    assert free[6]["start"] in [s["start"] for s in later_slots(api, prof["id"])]


def test_patient_cannot_cancel_after_the_cutoff(api, clinic, db):
    prof, patient = clinic["practitioner"], new_patient(api)
    a = book(api, patient, prof, slots(api, prof["id"])[0]).json()
    db(f"UPDATE appointment.availability SET cancellation_cutoff_minutes = 43200 WHERE practitioner_id = '{prof['id']}'")
    assert_problem(api.post(f"/v1/appointments/{a['id']}/cancel", {}, token=patient.access), 409,
                   "CANCELLATION_CUTOFF_PASSED")
    assert api.post(f"/v1/appointments/{a['id']}/cancel", {}, token=clinic["doctor"].access).json()["status"] == "cancelled"


def test_fee_puts_a_hold_that_expires(api, verified_org, db):
    doctor, prof = make_practitioner(api, verified_org, display_name="Dr. Paid",
                                     fees={"first_visit": {"amount_minor": 70000, "currency": "INR"},
                                           "follow_up": {"amount_minor": 40000, "currency": "INR"}})
    publish(api, doctor, prof["id"], week_rules(verified_org["facility"]["id"]))
    patient = new_patient(api)
    s = slots(api, prof["id"])[0]
    a = book(api, patient, prof, s).json()
    assert a["status"] == "pending_payment" and a["fee"] == {"amount_minor": 70000, "currency": "INR"}
    hold = dt.datetime.fromisoformat(a["hold_expires_at"].replace("Z", "+00:00"))
    assert dt.timedelta(minutes=14) < hold - dt.datetime.now(dt.timezone.utc) <= dt.timedelta(minutes=15, seconds=5)
    assert s["start"] not in [x["start"] for x in slots(api, prof["id"])]  # held
    # Pay at the clinic instead: booked at once.
    s2 = slots(api, prof["id"])[1]
    assert book(api, new_patient(api), prof, s2, pay_at_clinic=True).json()["status"] == "booked"
    # Let the hold run out: the sweeper expires it and the slot is free again.
    db(f"UPDATE appointment.appointments SET hold_expires_at = now() - interval '1 second' WHERE id = '{a['id']}'")
    deadline = time.time() + 15
    while time.time() < deadline:
        if api.get(f"/v1/appointments/{a['id']}", token=patient.access).json()["status"] == "expired":
            break
        time.sleep(0.2)
    assert api.get(f"/v1/appointments/{a['id']}", token=patient.access).json()["status"] == "expired"
    assert s["start"] in [x["start"] for x in slots(api, prof["id"])]


def test_fifty_clients_race_for_one_slot(api, clinic, db):
    prof = clinic["practitioner"]
    target = slots(api, prof["id"])[8]
    with ThreadPoolExecutor(max_workers=16) as pool:
        patients = list(pool.map(lambda _: new_patient(api), range(50)))
    barrier = threading.Barrier(50)

    def attempt(p):
        s = requests.Session()
        barrier.wait()
        return s.post(api.base + "/v1/appointments", timeout=60,
                      json={"practitioner_id": prof["id"], "facility_id": target["facility_id"],
                            "start": target["start"], "mode": "in_person"},
                      headers={"Authorization": f"Bearer {p.access}", "Idempotency-Key": str(uuid.uuid4())})

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(attempt, patients))
    codes = sorted(r.status_code for r in results)
    assert codes.count(201) == 1 and codes.count(409) == 49, codes
    assert all(r.json()["code"] == "SLOT_UNAVAILABLE" for r in results if r.status_code == 409)
    active = db(f"SELECT count(*) FROM appointment.appointments WHERE practitioner_id = '{prof['id']}' AND "
                f"start_at = '{target['start']}' AND status IN ('pending_payment','booked','checked_in','in_progress')")
    assert active == "1"

    # Twenty clients booking twenty different slots all succeed.
    free = slots(api, prof["id"])[10:30]
    barrier20 = threading.Barrier(20)

    def attempt_own(args):
        p, slot = args
        barrier20.wait()
        return requests.post(api.base + "/v1/appointments", timeout=60,
                             json={"practitioner_id": prof["id"], "facility_id": slot["facility_id"],
                                   "start": slot["start"], "mode": "in_person"},
                             headers={"Authorization": f"Bearer {p.access}", **key_header()})

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(attempt_own, zip(patients[:20], free)))
    assert [r.status_code for r in results] == [201] * 20, [r.text for r in results if r.status_code != 201]


def test_waitlist_gets_the_freed_slot(api, clinic):
    prof = clinic["practitioner"]
    s = later_slots(api, prof["id"])[0]
    day = dt.datetime.fromisoformat(s["start"].replace("Z", "+00:00")).astimezone(IST).date().isoformat()
    holder, waiter = new_patient(api), new_patient(api)
    a = book(api, holder, prof, s).json()
    r = api.post(f"/v1/practitioners/{prof['id']}/waitlist", {"date_from": day, "date_to": day}, token=waiter.access)
    assert r.status_code == 201 and r.json()["status"] == "waiting", r.text
    assert_problem(api.post(f"/v1/practitioners/{prof['id']}/waitlist", {"date_from": day, "date_to": "2020-01-01"},
                            token=waiter.access), 400)
    assert api.post(f"/v1/appointments/{a['id']}/cancel", {}, token=holder.access).json()["status"] == "cancelled"
    port = os.environ["REDIS_PORT"]
    deadline = time.time() + 10
    while time.time() < deadline:
        out = subprocess.run(["redis-cli", "-p", port, "--raw", "XRANGE", "healthtech:events:appointment", "-", "+"],
                             capture_output=True, text=True).stdout
        if "waitlist.offered" in out and waiter.id in out:
            break
        time.sleep(0.1)
    else:
        pytest.fail("no waitlist.offered event for the waiting patient")
    assert "appointment.cancelled" in out and "Follow-up on blood pressure" not in out  # no PHI in events


def found_on(api, tag, day, **params):
    r = api.get("/v1/practitioners", params={"q": tag, "available_on": day, **params})
    assert r.status_code == 200, r.text
    return {p["id"] for p in r.json()["items"]}


def eventually(fn, timeout=15):
    """Search by date reads the org service's read model of the appointment service's free
    days (fed by its events): it converges within the publisher's and consumer's beats."""
    deadline = time.time() + timeout
    while not fn():
        if time.time() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_search_by_available_date(api, clinic, verified_org):
    tag = uuid.uuid4().hex[:6]
    busy_doc, busy = make_practitioner(api, verified_org, display_name=f"Dr. Away {tag}")
    today = dt.datetime.now(IST).date()
    publish(api, busy_doc, busy["id"], week_rules(verified_org["facility"]["id"]),
            time_off=[{"start_date": (today + dt.timedelta(days=2)).isoformat(),
                       "end_date": (today + dt.timedelta(days=4)).isoformat(), "note": "conference"}])
    here_doc, here = make_practitioner(api, verified_org, display_name=f"Dr. Here {tag}")
    publish(api, here_doc, here["id"], week_rules(verified_org["facility"]["id"]))
    day = (today + dt.timedelta(days=3)).isoformat()
    later = (today + dt.timedelta(days=6)).isoformat()
    assert eventually(lambda: {here["id"], busy["id"]} <= found_on(api, tag, later))
    found = found_on(api, tag, day)
    assert here["id"] in found and busy["id"] not in found
    assert busy["id"] not in found_on(api, tag, (today + dt.timedelta(days=2)).isoformat())
    # Beyond the horizon (30 days) nobody is free.
    assert found_on(api, tag, (today + dt.timedelta(days=40)).isoformat()) == set()
    # The mode filter applies to the free times too: these hours are in person only.
    assert found_on(api, tag, later, mode="video") == set()
    assert_problem(api.get("/v1/practitioners", params={"available_on": "soon"}), 400)
    assert_problem(api.get("/v1/practitioners", params={"available_on": "2026-02-30"}), 400)


def test_search_results_show_the_next_free_day_and_sort(api, verified_org):
    """Each result says when the practitioner is next free; results sort by soonest free day,
    lowest fee or most experience (the same keyset pages for each order)."""
    tag = uuid.uuid4().hex[:6]
    today = dt.datetime.now(IST).date()
    fac = verified_org["facility"]["id"]
    soon_doc, soon = make_practitioner(api, verified_org, display_name=f"Dr. Soon {tag}", years_of_experience=3,
                                       fees={"first_visit": {"amount_minor": 90000, "currency": "INR"}})
    publish(api, soon_doc, soon["id"], week_rules(fac, start="00:00", end="24:00"), min_notice_minutes=0)
    late_doc, late = make_practitioner(api, verified_org, display_name=f"Dr. Later {tag}", years_of_experience=20,
                                       fees={"first_visit": {"amount_minor": 30000, "currency": "INR"}})
    publish(api, late_doc, late["id"], week_rules(fac), time_off=[
        {"start_date": today.isoformat(), "end_date": (today + dt.timedelta(days=4)).isoformat(), "note": "away"}])
    _, never = make_practitioner(api, verified_org, display_name=f"Dr. Unlisted {tag}", years_of_experience=10)

    def results(**params):
        r = api.get("/v1/practitioners", params={"q": tag, "limit": 10, **params})
        assert r.status_code == 200, r.text
        return r.json()["items"]

    expected_late = (today + dt.timedelta(days=5)).isoformat()
    assert eventually(lambda: {p["id"]: p.get("next_free_day") for p in results()}.get(late["id"]) == expected_late)
    by_id = {p["id"]: p for p in results()}
    assert by_id[soon["id"]]["next_free_day"] in (today.isoformat(), (today + dt.timedelta(days=1)).isoformat())
    assert "next_free_day" not in by_id[never["id"]]  # publishes no hours
    assert [p["id"] for p in results(sort="soonest")] == [soon["id"], late["id"], never["id"]]
    assert [p["id"] for p in results(sort="fee")] == [never["id"], late["id"], soon["id"]]  # free first
    assert [p["id"] for p in results(sort="experience")] == [late["id"], never["id"], soon["id"]]
    # One per page, in the same order; a token of one order is refused by another.
    first = api.get("/v1/practitioners", params={"q": tag, "limit": 1, "sort": "fee"}).json()
    second = api.get("/v1/practitioners", params={"q": tag, "limit": 1, "sort": "fee",
                                                  "page_token": first["next_page_token"]}).json()
    assert [first["items"][0]["id"], second["items"][0]["id"]] == [never["id"], late["id"]]
    assert_problem(api.get("/v1/practitioners", params={"q": tag, "sort": "soonest",
                                                        "page_token": first["next_page_token"]}), 400)
    assert_problem(api.get("/v1/practitioners", params={"sort": "cheapest"}), 400)


def test_search_by_date_follows_bookings_cancellations_and_new_rules(api, verified_org):
    """A day whose last free slot is booked drops out of search; a cancellation brings it
    back; new rules replace the old days."""
    tag = uuid.uuid4().hex[:6]
    doc, prof = make_practitioner(api, verified_org, display_name=f"Dr. One Slot {tag}")
    today = dt.datetime.now(IST).date()
    day = today + dt.timedelta(days=5)
    # One 30-minute slot a day.
    publish(api, doc, prof["id"], week_rules(verified_org["facility"]["id"], start="10:00", end="10:30"))
    assert eventually(lambda: prof["id"] in found_on(api, tag, day.isoformat()))
    start = dt.datetime.combine(day, dt.time(0, 0), IST)
    slot = slots(api, prof["id"], **{"from": start.isoformat(), "to": (start + dt.timedelta(days=1)).isoformat()})[0]
    patient = new_patient(api)
    booked = book(api, patient, prof, slot)
    assert booked.status_code == 201, booked.text
    assert eventually(lambda: prof["id"] not in found_on(api, tag, day.isoformat()))
    assert prof["id"] in found_on(api, tag, (day + dt.timedelta(days=1)).isoformat())
    r = api.post(f"/v1/appointments/{booked.json()['id']}/cancel", {}, token=patient.access)
    assert r.status_code == 200, r.text
    assert eventually(lambda: prof["id"] in found_on(api, tag, day.isoformat()))
    # New rules: weekends only. A weekday drops out, a weekend day stays.
    publish(api, doc, prof["id"], week_rules(verified_org["facility"]["id"], start="10:00", end="10:30",
                                               days=["saturday", "sunday"]))
    weekday = next(today + dt.timedelta(days=d) for d in range(3, 10)
                   if (today + dt.timedelta(days=d)).isoweekday() <= 5)
    weekend = next(today + dt.timedelta(days=d) for d in range(3, 10)
                   if (today + dt.timedelta(days=d)).isoweekday() >= 6)
    assert eventually(lambda: prof["id"] not in found_on(api, tag, weekday.isoformat()))
    assert prof["id"] in found_on(api, tag, weekend.isoformat())


def test_availability_is_validated_and_owned(api, clinic):
    prof, doctor = clinic["practitioner"], clinic["doctor"]
    fac = clinic["facility"]["id"]
    bad = {"rules": [{"facility_id": fac, "mode": "in_person", "weekday": "monday", "start_local": "17:00",
                      "end_local": "09:00", "slot_minutes": 2}], "time_off": [{"start_date": "2027-02-30", "end_date": "2027-03-01"}],
           "timezone": "Moon/Base"}
    fields = {e["field"] for e in assert_problem(api.call("PUT", f"/v1/practitioners/{prof['id']}/availability", bad,
                                                         token=doctor.access), 400)["errors"]}
    # What the contract says (openapi.json: ranges, formats) is checked first, at the edge...
    assert {"rules[0].slot_minutes", "time_off[0].start_date"} <= fields
    # ...then what needs the service (end after start, a zone PostgreSQL knows).
    bad["rules"][0]["slot_minutes"] = 30
    bad["time_off"][0]["start_date"] = "2027-02-28"
    fields = {e["field"] for e in assert_problem(api.call("PUT", f"/v1/practitioners/{prof['id']}/availability", bad,
                                                         token=doctor.access), 400)["errors"]}
    assert {"rules[0].end_local", "timezone"} <= fields
    stranger = new_patient(api)
    assert_problem(api.call("PUT", f"/v1/practitioners/{prof['id']}/availability", {"rules": week_rules(fac)},
                            token=stranger.access), 403)
    # The clinic's admin may set it too.
    r = api.call("PUT", f"/v1/practitioners/{prof['id']}/availability",
                 {"rules": week_rules(fac, "10:00", "12:00"), "horizon_days": 14}, token=clinic["owner"].access)
    assert r.status_code == 403 or r.status_code == 200  # admin role arrives with a refreshed token
    got = api.get(f"/v1/practitioners/{prof['id']}/availability").json()
    assert got["timezone"] == "Asia/Kolkata" and len(got["rules"]) == 7


def test_appointments_are_protected_by_rls(api, clinic):
    patient = new_patient(api)
    a = book(api, patient, clinic["practitioner"], slots(api, clinic["practitioner"]["id"])[0]).json()
    url = os.environ["APPOINTMENT_DATABASE_URL"]
    run = lambda sql: subprocess.run(["psql", "-X", "-q", "-tA", url, "-c", sql], capture_output=True, text=True)
    assert run("SELECT count(*) FROM appointment.appointments").stdout.strip() == "0"
    other = str(uuid.uuid4())
    out = run(f"BEGIN; SELECT set_config('app.subject_id', '{other}', true); SELECT count(*) FROM appointment.appointments; COMMIT;")
    assert out.stdout.strip().splitlines()[-1] == "0"
    out = run(f"BEGIN; SELECT set_config('app.subject_id', '{patient.id}', true); SELECT count(*) FROM appointment.appointments; COMMIT;")
    assert out.stdout.strip().splitlines()[-1] == "1"
    assert run("DELETE FROM appointment.audit_log").returncode != 0
    out = run(f"SELECT count(*) FROM appointment.audit_log WHERE appointment_id = '{a['id']}'")
    assert int(out.stdout.strip() or 0) >= 1


def test_extra_hours_time_off_and_daily_cap(api, verified_org):
    doctor, prof = make_practitioner(api, verified_org, display_name="Dr. Part Time")
    fac = verified_org["facility"]["id"]
    today = dt.datetime.now(IST).date()
    # Weekly: Mondays only. Extra hours on the first non-Monday at least 2 days ahead.
    extra_day = next(today + dt.timedelta(days=i) for i in range(2, 9) if (today + dt.timedelta(days=i)).weekday() != 0)
    monday = next(today + dt.timedelta(days=i) for i in range(2, 16) if (today + dt.timedelta(days=i)).weekday() == 0)
    next_monday = monday + dt.timedelta(days=7)
    publish(api, doctor, prof["id"], week_rules(fac, "10:00", "12:00", 30, days=["monday"]),
            extra_hours=[{"date": extra_day.isoformat(), "facility_id": fac, "mode": "in_person",
                          "start_local": "14:00", "end_local": "15:00", "slot_minutes": 20}],
            time_off=[{"start_date": next_monday.isoformat(), "end_date": next_monday.isoformat()}],
            max_bookings_per_day=2)
    start = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0, 0), IST)
    items = slots(api, prof["id"], **{"from": start.isoformat(), "to": (start + dt.timedelta(days=21)).isoformat()})
    by_day = {}
    for s in items:
        local = dt.datetime.fromisoformat(s["start"].replace("Z", "+00:00")).astimezone(IST)
        by_day.setdefault(local.date(), []).append(local.strftime("%H:%M"))
    assert by_day[extra_day] == ["14:00", "14:20", "14:40"]
    assert by_day[monday] == ["10:00", "10:30", "11:00", "11:30"]
    assert next_monday not in by_day  # time off
    assert all(d.weekday() == 0 or d == extra_day for d in by_day)
    # The daily cap: after two bookings that Monday has no more slots.
    monday_slots = [s for s in items if dt.datetime.fromisoformat(s["start"].replace("Z", "+00:00")).astimezone(IST).date() == monday]
    assert book(api, new_patient(api), prof, monday_slots[0]).status_code == 201
    assert book(api, new_patient(api), prof, monday_slots[2]).status_code == 201
    left = [s for s in slots(api, prof["id"], **{"from": start.isoformat(), "to": (start + dt.timedelta(days=21)).isoformat()})
            if dt.datetime.fromisoformat(s["start"].replace("Z", "+00:00")).astimezone(IST).date() == monday]
    assert left == []
    assert_problem(book(api, new_patient(api), prof, monday_slots[3]), 409, "SLOT_UNAVAILABLE")


def test_review_fixes_no_show_timing_notes_and_reschedule_cutoff(api, clinic, db):
    prof, doctor = clinic["practitioner"], clinic["doctor"]
    patient = new_patient(api)
    a = book(api, patient, prof, later_slots(api, prof["id"])[0]).json()
    # A no-show cannot be marked before the start.
    assert_problem(api.post(f"/v1/appointments/{a['id']}/no-show", token=doctor.access), 409, "TOO_EARLY")
    # Time-off notes are private to the practitioner and their staff.
    fac = clinic["facility"]["id"]
    publish(api, doctor, prof["id"], week_rules(fac),
            time_off=[{"start_date": "2027-06-01", "end_date": "2027-06-02", "note": "surgery"}])
    assert api.get(f"/v1/practitioners/{prof['id']}/availability").json()["time_off"][0].get("note", "") == ""
    assert api.get(f"/v1/practitioners/{prof['id']}/availability", token=doctor.access).json()["time_off"][0]["note"] == "surgery"
    # A patient cannot move a booking after the cut-off either.
    db(f"UPDATE appointment.availability SET cancellation_cutoff_minutes = 43200 WHERE practitioner_id = '{prof['id']}'")
    target = later_slots(api, prof["id"])[5]
    assert_problem(api.post(f"/v1/appointments/{a['id']}/reschedule", {"start": target["start"]}, token=patient.access, headers=key_header()),
                   409, "CANCELLATION_CUTOFF_PASSED")


def test_removed_practitioner_is_no_longer_bookable(api, clinic):
    prof, owner = clinic["practitioner"], clinic["owner"]
    assert slots(api, prof["id"])
    r = api.delete(f"/v1/organizations/{clinic['org']['id']}/staff/{prof['user_id']}", token=owner.access)
    assert r.status_code == 200, r.text
    assert_problem(api.get(f"/v1/practitioners/{prof['id']}"), 404)
