"""Organizations, verification, facilities, staff and practitioner profiles (REST)."""
import os
import subprocess
import time
import uuid

import pytest

from conftest import PDF, PNG, assert_problem, jwt_parts, make_practitioner, org_body, refresh, upload

def test_register_and_verify_an_organization(api, user, admin):
    r = api.post("/v1/organizations", org_body(), token=user.access)
    assert r.status_code == 201, r.text
    org = r.json()
    assert org["status"] == "pending_verification" and org["type"] == "clinic"
    assert org["created_by"] == user.id and org["gstin"] == "29AAGCB7383J1Z4"
    assert [h["to_status"] for h in org["verification_history"]] == ["pending_verification"]
    # The creator is its admin: in their token after a refresh.
    refresh(api, user)
    assert f"org_admin:{org['id']}" in jwt_parts(user.access)[1]["roles"]
    # Not public before it is verified.
    assert_problem(api.get(f"/v1/organizations/{org['id']}"), 404, "ORGANIZATION_NOT_FOUND")
    stranger = api.register()
    api.login(stranger)
    assert_problem(api.get(f"/v1/organizations/{org['id']}", token=stranger.access), 404)

    # Submitting needs a document; documents are checked by content.
    assert_problem(api.post(f"/v1/organizations/{org['id']}/submit", token=user.access), 409, "DOCUMENTS_REQUIRED")
    bad = upload(api, user.access, org["id"], b"<html><script>alert(1)</script>", "application/pdf")
    assert "content" in [e["field"] for e in assert_problem(bad, 400)["errors"]]
    assert_problem(upload(api, stranger.access, org["id"], PDF), 404)  # invisible to strangers
    r = upload(api, user.access, org["id"], PDF)
    assert r.status_code == 201, r.text
    doc = r.json()
    import hashlib
    assert doc["sha256"] == hashlib.sha256(PDF).hexdigest() and doc["content_type"] == "application/pdf"
    assert upload(api, user.access, org["id"], PNG, "image/png", filename="scan.png").json()["content_type"] == "image/png"
    big = upload(api, user.access, org["id"], b"%PDF-" + b"0" * (5 * 1024 * 1024))
    assert big.status_code in (400, 413)

    r = api.post(f"/v1/organizations/{org['id']}/submit", token=user.access)
    assert r.status_code == 200 and r.json()["status"] == "under_review"
    assert_problem(api.post(f"/v1/organizations/{org['id']}/submit", token=user.access), 409, "INVALID_TRANSITION")

    # Platform admins review.
    assert_problem(api.get("/v1/admin/verifications", token=user.access), 403)
    r = api.get("/v1/admin/verifications", params={"status": "under_review", "limit": 100}, token=admin.access)
    assert r.status_code == 200
    item = next(i for i in r.json()["items"] if i["organization"]["id"] == org["id"])
    assert len(item["documents"]) == 2 and "content" not in item["documents"][0]
    assert_problem(api.post(f"/v1/admin/organizations/{org['id']}/verification", {"decision": "reject"},
                            token=admin.access), 400)
    assert_problem(api.post(f"/v1/admin/organizations/{org['id']}/verification", {"decision": "maybe"},
                            token=admin.access), 400)
    r = api.post(f"/v1/admin/organizations/{org['id']}/verification",
                 {"decision": "request_changes", "reason": "GST certificate is missing"}, token=admin.access)
    assert r.status_code == 200 and r.json()["status"] == "changes_requested"
    assert api.post(f"/v1/organizations/{org['id']}/submit", token=user.access).json()["status"] == "under_review"
    r = api.post(f"/v1/admin/organizations/{org['id']}/verification", {"decision": "approve"}, token=admin.access)
    assert r.status_code == 200 and r.json()["status"] == "verified"
    history = r.json()["verification_history"]
    assert [h["to_status"] for h in history] == ["pending_verification", "under_review", "changes_requested",
                                                 "under_review", "verified"]
    assert history[2]["reason"] == "GST certificate is missing" and history[2]["actor_id"] == admin.id
    assert history[2]["decision"] == "request_changes"
    assert_problem(api.post(f"/v1/admin/organizations/{org['id']}/verification", {"decision": "approve"},
                            token=admin.access), 409)
    # Public now, without its internal history.
    r = api.get(f"/v1/organizations/{org['id']}")
    assert r.status_code == 200 and r.json()["status"] == "verified" and r.json()["verification_history"] == []
    # The decision is an event for the notification service.
    port = os.environ["REDIS_PORT"]
    deadline = time.time() + 10
    while time.time() < deadline:
        out = subprocess.run(["redis-cli", "-p", port, "--raw", "XRANGE", "healthtech:events:org", "-", "+"],
                             capture_output=True, text=True).stdout
        if "organization.verified" in out and org["id"] in out:
            break
        time.sleep(0.1)
    else:
        pytest.fail("organization.verified did not reach the stream")


def test_organization_input_is_validated(api, user):
    cases = [({"type": "spa"}, "type"), ({"legal_name": "X"}, "legal_name"), ({"gstin": "29AAGCB7383J1Z5"}, "gstin"),
             ({"address": {"line1": "x", "city": "y", "state": "z", "pincode": "12"}}, "address.pincode"),
             ({"contact_phone": "12345"}, "contact_phone"), ({"status": "verified"}, "status")]
    for over, field in cases:
        body = assert_problem(api.post("/v1/organizations", org_body(**over), token=user.access), 400)
        assert field in [e["field"] for e in body["errors"]], (over, body)
    assert_problem(api.post("/v1/organizations", org_body()), 401)


def test_only_admins_change_an_organization(api, verified_org):
    org, owner = verified_org["org"], verified_org["owner"]
    r = api.patch(f"/v1/organizations/{org['id']}", {"display_name": "Sunrise Clinics", "late_cancellation_refund_percent": 50},
                  token=owner.access)
    assert r.status_code == 200 and r.json()["display_name"] == "Sunrise Clinics"
    assert r.json()["late_cancellation_refund_percent"] == 50
    assert_problem(api.patch(f"/v1/organizations/{org['id']}", {"gstin": "bad"}, token=owner.access), 400)
    other = api.register()
    api.login(other)
    assert_problem(api.patch(f"/v1/organizations/{org['id']}", {"display_name": "Mine"}, token=other.access), 403)
    assert api.get(f"/v1/organizations/{org['id']}").json()["display_name"] == "Sunrise Clinics"


def test_facilities(api, verified_org):
    org, owner = verified_org["org"], verified_org["owner"]
    body = {"name": "Annex", "timezone": "Mars/Olympus", "address": {"line1": "1 A St", "city": "Bengaluru",
                                                                    "state": "Karnataka", "pincode": "560002"}}
    assert "timezone" in [e["field"] for e in assert_problem(
        api.post(f"/v1/organizations/{org['id']}/facilities", body, token=owner.access), 400)["errors"]]
    body["timezone"] = "Asia/Kolkata"
    assert api.post(f"/v1/organizations/{org['id']}/facilities", body, token=owner.access).status_code == 201
    r = api.get(f"/v1/organizations/{org['id']}/facilities", params={"limit": 1})
    assert r.status_code == 200 and len(r.json()["items"]) == 1 and r.json()["next_page_token"]
    r2 = api.get(f"/v1/organizations/{org['id']}/facilities", params={"limit": 1, "page_token": r.json()["next_page_token"]})
    assert len(r2.json()["items"]) == 1 and r2.json()["items"][0]["id"] != r.json()["items"][0]["id"]
    assert "next_page_token" not in r2.json() or not r2.json()["next_page_token"]
    assert_problem(api.get(f"/v1/organizations/{org['id']}/facilities", params={"page_token": "garbage"}), 400)


def test_staff_invitations_and_the_last_admin(api, verified_org):
    org, owner = verified_org["org"], verified_org["owner"]
    email = f"dr-{uuid.uuid4().hex[:8]}@example.com"
    r = api.post(f"/v1/organizations/{org['id']}/staff", {"email": email, "role": "practitioner"}, token=owner.access)
    assert r.status_code == 201 and r.json()["status"] == "pending", r.text
    token = None
    deadline = time.time() + 10
    while token is None and time.time() < deadline:  # the invitation travels through the outbox
        try:
            token = api.last_token(email, "invitations/accept")
        except AssertionError:
            time.sleep(0.1)
    assert token, "no invitation email"
    # Someone else cannot use it; the invitee (who registers now) can, once.
    mallory = api.register()
    api.login(mallory)
    assert_problem(api.post(f"/v1/invitations/{token}/accept", token=mallory.access), 403)
    doctor = api.register(email=email)
    api.login(doctor)
    r = api.post(f"/v1/invitations/{token}/accept", token=doctor.access)
    assert r.status_code == 200 and r.json()["roles"] == ["practitioner"], r.text
    assert_problem(api.post(f"/v1/invitations/{token}/accept", token=doctor.access), 400, "LINK_INVALID")
    refresh(api, doctor)
    assert f"practitioner:{org['id']}" in jwt_parts(doctor.access)[1]["roles"]
    r = api.get(f"/v1/organizations/{org['id']}/staff", token=owner.access)
    members = {m["user_id"]: m for m in r.json()["items"]}
    assert members[doctor.id]["email"] == email and members[owner.id]["roles"] == ["org_admin"]
    assert_problem(api.get(f"/v1/organizations/{org['id']}/staff", token=mallory.access), 403)
    # Staff cannot invite; an organization keeps at least one admin.
    assert_problem(api.post(f"/v1/organizations/{org['id']}/staff", {"email": "x@example.com", "role": "org_admin"},
                            token=doctor.access), 403)
    assert_problem(api.delete(f"/v1/organizations/{org['id']}/staff/{owner.id}", token=owner.access), 409,
                   "LAST_ORG_ADMIN")
    assert api.delete(f"/v1/organizations/{org['id']}/staff/{doctor.id}", token=owner.access).status_code == 200
    refresh(api, doctor)
    assert f"practitioner:{org['id']}" not in jwt_parts(doctor.access)[1]["roles"]


def test_practitioner_profile_and_search(api, verified_org):
    tag = uuid.uuid4().hex[:6]
    _, cardio = make_practitioner(api, verified_org, display_name=f"Dr. Meera Iyer {tag}",
                                  specialties=["Cardiology"], languages=["en", "hi", "kn"],
                                  consultation_modes=["in_person", "video"],
                                  bio="Interventional cardiologist treating heart failure and arrhythmia.",
                                  fees={"first_visit": {"amount_minor": 80000, "currency": "INR"},
                                        "follow_up": {"amount_minor": 50000, "currency": "INR"}})
    _, derm = make_practitioner(api, verified_org, display_name=f"Dr. Arjun Rao {tag}", specialties=["Dermatology"],
                                languages=["en"], bio="Skin, hair and nails.")
    assert cardio["verified"] and cardio["fees"]["first_visit"]["amount_minor"] == 80000
    assert cardio["facilities"][0]["timezone"] == "Asia/Kolkata"
    assert "fees" not in derm  # free
    assert api.get(f"/v1/practitioners/{cardio['id']}").json()["display_name"] == f"Dr. Meera Iyer {tag}"

    def search(**params):
        r = api.get("/v1/practitioners", params={"limit": 100, **params})
        assert r.status_code == 200, r.text
        return [p["id"] for p in r.json()["items"]]

    assert cardio["id"] in search(q=f"cardiologist heart {tag}")   # stemmed full-text over the bio
    assert cardio["id"] in search(q=f"Meera Iyr {tag}")             # trigram similarity on the name
    assert derm["id"] not in search(q="cardiology")
    assert cardio["id"] in search(specialty="cardiology", city="bengaluru", language="kn", mode="video")
    assert cardio["id"] not in search(specialty="cardiology", city="Mumbai")
    assert cardio["id"] not in search(specialty="cardiology", mode="video", language="ta")
    assert derm["id"] in search(q=tag) and cardio["id"] in search(q=tag)
    # As people write it: specialists, old city names, language names in English or Hindi.
    assert cardio["id"] in search(q=f"cardiologist {tag}", city="Bangalore", language="Hindi")
    assert cardio["id"] in search(q=tag, specialty="Cardiologist", city=" BENGALURU ", language="हिन्दी")
    assert derm["id"] in search(q=f"dermatologist {tag}") and cardio["id"] not in search(q=f"dermatologist {tag}")
    assert cardio["id"] not in search(q=tag, specialty="cardiology", city="Bombay")
    body = assert_problem(api.get("/v1/practitioners", params={"language": "Klingon"}), 400, "VALIDATION_FAILED")
    assert body["errors"][0]["field"] == "language" and "Hindi" in body["errors"][0]["message"]
    # Pages are stable and disjoint.
    first = api.get("/v1/practitioners", params={"q": tag, "limit": 1}).json()
    second = api.get("/v1/practitioners", params={"q": tag, "limit": 1, "page_token": first["next_page_token"]}).json()
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {cardio["id"], derm["id"]}
    assert_problem(api.get("/v1/practitioners", params={"limit": "many"}), 400)
    assert_problem(api.get("/v1/practitioners", params={"mode": "telepathy"}), 400)


def test_profile_rules_and_unverified_practitioners_stay_hidden(api, user, verified_org):
    doctor, _ = make_practitioner(api, verified_org)
    bad = {"display_name": "D", "specialties": [], "languages": ["english"], "consultation_modes": [],
           "years_of_experience": 99, "fees": {"first_visit": {"amount_minor": -5, "currency": "INR"}}}
    fields = {e["field"] for e in assert_problem(api.call("PUT", "/v1/practitioners/me", bad, token=doctor.access), 400)["errors"]}
    assert {"display_name", "specialties", "languages[0]", "consultation_modes", "years_of_experience"} <= fields
    # A facility of an organization where the caller is not a practitioner is refused.
    other_org = api.post("/v1/organizations", org_body(), token=user.access).json()
    fac = api.post(f"/v1/organizations/{other_org['id']}/facilities",
                   {"name": "Elsewhere", "timezone": "Asia/Kolkata",
                    "address": {"line1": "1 X Rd", "city": "Pune", "state": "MH", "pincode": "411001"}},
                   token=user.access).json()
    body = {"display_name": "Dr. Sneaky", "specialties": ["ENT"], "consultation_modes": ["video"],
            "facility_ids": [fac["id"]]}
    assert_problem(api.call("PUT", "/v1/practitioners/me", body, token=doctor.access), 400)
    # A practitioner of an unverified organization only is neither searchable nor visible.
    loner = api.register()
    api.login(loner)
    assert_problem(api.get("/v1/practitioners/me", token=loner.access), 404, "PRACTITIONER_NOT_FOUND")
    assert_problem(api.get("/v1/practitioners/me"), 401)
    r = api.call("PUT", "/v1/practitioners/me", {"display_name": "Dr. Unlisted", "specialties": ["ENT"],
                                                 "consultation_modes": ["video"]}, token=loner.access)
    assert r.status_code == 200 and r.json()["verified"] is False
    assert_problem(api.get(f"/v1/practitioners/{r.json()['id']}"), 404)
    assert r.json()["id"] not in [p["id"] for p in api.get("/v1/practitioners", params={"q": "Unlisted"}).json()["items"]]
    assert api.get(f"/v1/practitioners/{r.json()['id']}", token=loner.access).status_code == 200  # the owner sees it
    mine = api.get("/v1/practitioners/me", token=loner.access)  # ...and finds it without knowing its id
    assert mine.status_code == 200 and mine.json()["id"] == r.json()["id"] and mine.json()["user_id"] == loner.id
    assert api.get("/v1/practitioners/me", token=doctor.access).json()["id"] != r.json()["id"]
    # ... and cannot be booked, nor list slots.
    assert_problem(api.get(f"/v1/practitioners/{r.json()['id']}/slots"), 404)
    booking = {"practitioner_id": r.json()["id"], "facility_id": fac["id"], "start": "2027-01-04T04:30:00Z",
               "mode": "video"}
    assert_problem(api.post("/v1/appointments", booking, token=doctor.access,
                            headers={"Idempotency-Key": str(uuid.uuid4())}), 404)


def test_org_rows_are_protected_by_rls(verified_org):
    url = os.environ["ORG_DATABASE_URL"]
    run = lambda sql: subprocess.run(["psql", "-X", "-q", "-tA", url, "-c", sql], capture_output=True, text=True)
    assert run("SELECT count(*) FROM org.documents").stdout.strip() == "0"        # no caller, no rows
    assert run("SELECT count(*) FROM org.invitations").stdout.strip() == "0"
    assert run("SELECT count(*) FROM org.organizations WHERE status <> 'verified'").stdout.strip() == "0"
    assert run("TRUNCATE org.documents").returncode != 0
    out = run(f"BEGIN; SELECT set_config('app.subject_id', '{verified_org['owner'].id}', true); "
              f"SELECT count(*) FROM org.documents; COMMIT;")
    assert out.stdout.strip().splitlines()[-1] == "1"


def test_verification_documents_can_be_previewed_by_members_and_reviewers_only(api, user, admin):
    org = api.post("/v1/organizations", org_body(), token=user.access).json()
    doc = upload(api, user.access, org["id"], PNG, "image/png", filename="licence.png").json()
    path = f"/v1/organizations/{org['id']}/documents/{doc['id']}/content"
    for who in (user, admin):  # the organization's admin, a platform admin reviewing it
        r = api.get(path, token=who.access)
        assert r.status_code == 200, r.text
        assert r.content == PNG and r.headers["Content-Type"] == "image/png"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert 'filename="licence.png"' in r.headers["Content-Disposition"]
    stranger = api.register()
    api.login(stranger)
    assert_problem(api.get(path, token=stranger.access), 404, "DOCUMENT_NOT_FOUND")
    assert_problem(api.get(f"/v1/organizations/{org['id']}/documents/{uuid.uuid4()}/content", token=user.access), 404)
    assert_problem(api.get(f"/v1/organizations/{org['id']}/documents/not-an-id/content", token=user.access), 400,
                   "VALIDATION_FAILED")
    assert_problem(api.get(path), 401)
