#!/usr/bin/env python3
"""Demo data for a development stack, created through the REST API like a real user would.

Creates (or finds, when run again) a platform admin, two verified organizations in two
cities, five practitioners of different specialties and languages (some charging a fee,
one free) with Monday-Saturday 09:00-17:00 Asia/Kolkata hours in 15-minute slots, and a
few patients. Safe to run twice: every step looks for what exists first.

Needs a development stack (HEALTHTECH_ENV=development: the dev mailbox supplies the email
verification and invitation links). Environment: BFF_URL, IAM_BIN (iam-service binary) and
IAM_ENV (its environment, one VAR=value per line) to make the first admin.
"""
import os
import re
import subprocess
import sys
import time

import requests

BASE = os.environ.get("BFF_URL", "http://127.0.0.1:8080")
PASSWORD = "healthtech-demo-2026"
DOMAIN = "demo.healthtech.dev"
S = requests.Session()

PDF = b"%PDF-1.4\n% HealthTech demo registration certificate\n%%EOF\n"
WORKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

ORGS = [
    {"key": "sunrise", "owner": "owner.sunrise", "type": "clinic", "legal_name": "Sunrise Health Clinic Pvt Ltd",
     "display_name": "Sunrise Clinic", "registration_number": "KA-BLR-2021-0042", "gstin": "29AAGCB7383J1Z4",
     "address": {"line1": "12 MG Road", "city": "Bengaluru", "state": "Karnataka", "pincode": "560001",
                 "latitude": 12.9758, "longitude": 77.6063},
     "facility": "Sunrise MG Road"},
    {"key": "lotus", "owner": "owner.lotus", "type": "hospital", "legal_name": "Lotus Multispeciality Hospital LLP",
     "display_name": "Lotus Hospital", "registration_number": "MH-MUM-2019-1187", "gstin": "27AAPFU0939F1ZV",
     "address": {"line1": "44 Linking Road, Bandra West", "city": "Mumbai", "state": "Maharashtra", "pincode": "400050",
                 "latitude": 19.0656, "longitude": 72.8343},
     "facility": "Lotus Bandra"},
]

DOCTORS = [
    {"email": "dr.meera", "gender": "female", "org": "sunrise", "display_name": "Dr. Meera Iyer", "specialties": ["Cardiology"],
     "languages": ["en", "hi", "kn"], "modes": ["in_person", "video"], "fee": 80000, "follow_up": 50000,
     "years": 14, "qualifications": ["MBBS", "MD (Medicine)", "DM (Cardiology)"],
     "bio": "Interventional cardiologist: heart failure, hypertension and arrhythmia care."},
    {"email": "dr.arjun", "gender": "male", "org": "sunrise", "display_name": "Dr. Arjun Rao", "specialties": ["Dermatology"],
     "languages": ["en", "kn", "te"], "modes": ["in_person"], "fee": 60000, "follow_up": 40000, "years": 9,
     "qualifications": ["MBBS", "MD (Dermatology)"], "bio": "Skin, hair and nail conditions; acne and eczema clinics."},
    {"email": "dr.fatima", "gender": "female", "org": "lotus", "display_name": "Dr. Fatima Shaikh", "specialties": ["Pediatrics"],
     "languages": ["en", "hi", "mr", "ur"], "modes": ["in_person", "video"], "fee": 70000, "follow_up": 45000,
     "years": 11, "qualifications": ["MBBS", "DCH", "MD (Pediatrics)"],
     "bio": "Child health from newborns to teens: growth, vaccination, asthma and allergies."},
    {"email": "dr.rohan", "gender": "male", "org": "lotus", "display_name": "Dr. Rohan Deshpande", "specialties": ["General Medicine"],
     "languages": ["en", "hi", "mr"], "modes": ["in_person", "video"], "fee": 0, "follow_up": 0, "years": 6,
     "qualifications": ["MBBS"], "bio": "Family physician for fever, diabetes checks and everyday illness. Free consultations."},
    {"email": "dr.ananya", "gender": "female", "org": "lotus", "display_name": "Dr. Ananya Sen", "specialties": ["Psychiatry"],
     "languages": ["en", "bn", "hi"], "modes": ["video"], "fee": 90000, "follow_up": 70000, "years": 12,
     "qualifications": ["MBBS", "MD (Psychiatry)"], "bio": "Anxiety, depression and sleep; online sessions."},
]

PATIENTS = ["priya.patient", "rahul.patient", "sara.patient"]


def fail(msg):
    print(f"seed: {msg}", file=sys.stderr)
    sys.exit(1)


def call(method, path, token=None, expect=(200, 201, 202), **kw):
    headers = kw.pop("headers", {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    r = S.request(method, BASE + path, headers=headers, timeout=30, **kw)
    if r.status_code not in expect:
        fail(f"{method} {path} -> {r.status_code} {r.text[:300]}")
    return r


def mail_tokens(email, kind):
    """Every `kind` link mailed to `email` so far, oldest first."""
    items = call("GET", "/v1/dev/outbox", params={"to": email}).json()["items"]
    return [t for m in items for t in re.findall(kind + r"\?token=([A-Za-z0-9_-]+)", m["body"])]


def mail_token(email, kind, seen=0):
    """The newest `kind` link once more than `seen` were mailed: the development mailbox
    outlives a database reset, so an older message may be for an account that is gone."""
    for _ in range(100):
        tokens = mail_tokens(email, kind)
        if len(tokens) > seen:
            return tokens[-1]
        time.sleep(0.1)
    fail(f"no {kind} mail for {email} (is this a development stack?)")


def account(local, name):
    """Registers (or signs in to) a verified account; returns its tokens."""
    email = f"{local}@{DOMAIN}"
    seen = len(mail_tokens(email, "verify-email"))
    r = S.post(BASE + "/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": name}, timeout=30)
    if r.status_code == 201:
        call("POST", "/v1/auth/verify-email", json={"token": mail_token(email, "verify-email", seen)})
    elif r.status_code != 409:
        fail(f"register {email} -> {r.status_code} {r.text[:200]}")
    r = S.post(BASE + "/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=30)
    if r.status_code == 403 and r.json().get("code") == "EMAIL_NOT_VERIFIED":  # an earlier run stopped here
        seen = len(mail_tokens(email, "verify-email"))
        call("POST", "/v1/auth/resend-verification", json={"email": email})
        call("POST", "/v1/auth/verify-email", json={"token": mail_token(email, "verify-email", seen)})
        r = S.post(BASE + "/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=30)
    if r.status_code != 200:
        fail(f"POST /v1/auth/login -> {r.status_code} {r.text[:300]}")
    body = r.json()
    if body.get("mfa_required"):
        fail(f"{email} has MFA on; seed cannot sign in")
    return {"email": email, "access": body["access_token"], "refresh": body["refresh_token"]}


def roles(acct):
    import base64
    import json
    payload = acct["access"].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["roles"]


def refreshed(acct):
    body = call("POST", "/v1/auth/refresh", json={"refresh_token": acct["refresh"]}).json()
    acct["access"], acct["refresh"] = body["access_token"], body["refresh_token"]
    return acct


def make_admin(acct):
    env = dict(os.environ)
    for line in os.environ.get("IAM_ENV", "").splitlines():
        k, _, v = line.partition("=")
        if k:
            env[k] = v
    out = subprocess.run([os.environ["IAM_BIN"], "grant-admin", acct["email"]], env=env,
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        fail(f"grant-admin failed: {out.stderr.strip()}")
    return refreshed(acct)


def main():
    if "IAM_BIN" not in os.environ:
        fail("IAM_BIN and IAM_ENV are needed (run it as ./healthtech seed)")
    admin = make_admin(account("admin", "Demo Platform Admin"))
    facility_of = {}
    for spec in ORGS:
        owner = account(spec["owner"], f"{spec['display_name']} Admin")
        mine = [r.split(":", 1)[1] for r in roles(owner) if r.startswith("org_admin:")]
        if mine:
            org_id = mine[0]
        else:
            body = {k: spec[k] for k in ("type", "legal_name", "display_name", "registration_number", "gstin", "address")}
            body["contact_email"] = f"desk@{spec['key']}.example"
            org_id = call("POST", "/v1/organizations", owner["access"], json=body).json()["id"]
        org = call("GET", f"/v1/organizations/{org_id}", owner["access"]).json()
        if org["status"] in ("pending_verification", "changes_requested"):
            call("POST", f"/v1/organizations/{org_id}/documents", owner["access"], data=PDF,
                 params={"document_type": "registration_certificate", "filename": "certificate.pdf"},
                 headers={"Content-Type": "application/pdf"})
            call("POST", f"/v1/organizations/{org_id}/submit", owner["access"])
            org["status"] = "under_review"
        if org["status"] == "under_review":
            call("POST", f"/v1/admin/organizations/{org_id}/verification", admin["access"], json={"decision": "approve"})
        facilities = call("GET", f"/v1/organizations/{org_id}/facilities").json()["items"]
        if facilities:
            facility_of[spec["key"]] = (org_id, facilities[0]["id"], owner)
        else:
            fac = call("POST", f"/v1/organizations/{org_id}/facilities", owner["access"],
                       json={"name": spec["facility"], "timezone": "Asia/Kolkata", "address": spec["address"],
                             "phone": "+918041234567"}).json()
            facility_of[spec["key"]] = (org_id, fac["id"], owner)
        print(f"organization  {spec['display_name']:<22} {org_id}  verified")

    for d in DOCTORS:
        org_id, facility_id, owner = facility_of[d["org"]]
        doc = account(d["email"], d["display_name"])
        if f"practitioner:{org_id}" not in roles(doc):
            seen = len(mail_tokens(doc["email"], "invitations/accept"))
            call("POST", f"/v1/organizations/{org_id}/staff", owner["access"],
                 json={"email": doc["email"], "role": "practitioner"})
            call("POST", f"/v1/invitations/{mail_token(doc['email'], 'invitations/accept', seen)}/accept", doc["access"])
            refreshed(doc)
        profile = {"display_name": d["display_name"], "specialties": d["specialties"], "languages": d["languages"],
                   "consultation_modes": d["modes"], "years_of_experience": d["years"], "bio": d["bio"],
                   "qualifications": d["qualifications"], "registration_number": "NMC-" + d["email"].upper(),
                   "facility_ids": [facility_id], "gender": d["gender"]}
        if d["fee"]:
            profile["fees"] = {"first_visit": {"amount_minor": d["fee"], "currency": "INR"},
                               "follow_up": {"amount_minor": d["follow_up"], "currency": "INR"}}
        prof = call("PUT", "/v1/practitioners/me", doc["access"], json=profile).json()
        rules = [{"facility_id": facility_id, "mode": mode, "weekday": day, "start_local": "09:00",
                  "end_local": "17:00", "slot_minutes": 15} for day in WORKDAYS for mode in d["modes"]]
        call("PUT", f"/v1/practitioners/{prof['id']}/availability", doc["access"],
             json={"rules": rules, "timezone": "Asia/Kolkata", "min_notice_minutes": 120, "horizon_days": 60,
                   "cancellation_cutoff_minutes": 240})
        fee = f"₹{d['fee'] // 100}" if d["fee"] else "free"
        print(f"practitioner  {d['display_name']:<22} {prof['id']}  {', '.join(d['specialties'])} ({fee})")

    for p in PATIENTS:
        account(p, p.split(".")[0].capitalize() + " Patient")
    print(f"patients      {', '.join(f'{p}@{DOMAIN}' for p in PATIENTS)}")
    print(f"\nEvery demo account's password is {PASSWORD!r}; the admin is admin@{DOMAIN}.")


if __name__ == "__main__":
    main()
