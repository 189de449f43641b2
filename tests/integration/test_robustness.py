"""Hostile and careless input through the REST API (issue 12): each test here once answered
500, crashed the BFF or let something through. They must now get a clear 4xx problem and
change nothing."""
import base64
import contextlib
import datetime as dt
import http.client
import json
import os
import signal
import socket
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import Api, assert_problem, make_practitioner
from test_appointments import book, later_slots, new_patient, publish, week_rules


def raw_get(base, path, headers):
    """GET with header values sent as raw bytes (requests would re-encode them)."""
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.putrequest("GET", path, skip_accept_encoding=True)
    for k, v in headers.items():
        conn.putheader(k, v)
    conn.endheaders()
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, dict(r.getheaders()), body


def raw_exchange(base, data, wait=2.0):
    """Sends raw bytes on one connection; returns everything the server wrote before closing."""
    u = urllib.parse.urlsplit(base)
    s = socket.create_connection((u.hostname, u.port), timeout=wait)
    s.sendall(data)
    out = b""
    deadline = time.time() + wait
    try:
        while time.time() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except socket.timeout:
        pass
    s.close()
    return out


def alive(api):
    r = api.get("/health")
    assert r.status_code == 200, r.text


def problem_fields(body):
    return [e["field"] for e in body.get("errors", [])]


# ---- 1. one header byte must not kill the API server

def test_non_ascii_header_bytes_never_crash_the_bff(api, user):
    ua = b"Mozilla\xff\xfe"
    status, _, _ = raw_get(api.base, "/v1/practitioners", {"User-Agent": ua})
    assert status == 200
    alive(api)
    # Signed in too: the user agent travels to IAM's device list.
    status, _, _ = raw_get(api.base, "/v1/me", {"User-Agent": ua, "Authorization": f"Bearer {user.access}"})
    assert status == 200
    for header in ("X-Request-Id", "traceparent", "X-Session", "Origin", "Cookie", "Accept-Language"):
        status, _, _ = raw_get(api.base, "/v1/practitioners", {header: b"a\xff\x01b"})
        assert status < 500, header
    alive(api)


def test_an_idempotency_key_that_is_not_printable_ascii_is_refused(api, user):
    u = urllib.parse.urlsplit(api.base)
    body = json.dumps({"appointment_id": str(uuid.uuid4())}).encode()
    for key in (b"k\xff\xfe", b"tab\there", "ключ".encode(), b"x" * 300):
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        conn.putrequest("POST", "/v1/payments", skip_accept_encoding=True)
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Authorization", f"Bearer {user.access}")
        conn.putheader("Idempotency-Key", key)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        payload = json.loads(r.read())
        conn.close()
        assert r.status == 400, (key, payload)
        assert payload["code"] == "VALIDATION_FAILED" and "Idempotency-Key" in problem_fields(payload)
    alive(api)


def test_a_webhook_signature_with_bytes_outside_ascii_is_refused(api):
    u = urllib.parse.urlsplit(api.base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    body = b'{"id":"evt_x","event":"payment.captured"}'
    conn.putrequest("POST", "/v1/payments/webhooks/razorpay", skip_accept_encoding=True)
    conn.putheader("Content-Type", "application/json")
    conn.putheader("X-Razorpay-Signature", b"\xff\xfe")
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    r = conn.getresponse()
    r.read()
    conn.close()
    assert 400 <= r.status < 500
    alive(api)


# ---- 2. invalid UTF-8 in a path segment or query value

@pytest.mark.parametrize("path,param", [
    ("/v1/practitioners?q=%ff", "q"),
    ("/v1/forum/threads?tag=%ed%a0%80", "tag"),
    ("/v1/forum/search?q=%c0%af", "q"),
    ("/v1/dev/outbox?to=%ff", "to"),
    ("/v1/appointments/%ff", "appointment_id"),
    ("/v1/payments/%ff", "payment_id"),
    ("/v1/organizations/%ff%fe", "organization_id"),
    ("/v1/practitioners/%ff/slots", "practitioner_id"),
    ("/v1/invoices/%ff", "invoice_id"),
    ("/v1/practitioners?q=a%00b", "q"),
])
def test_invalid_utf8_or_nul_in_the_url_is_a_400_naming_it(api, user, path, param):
    r = api.call("GET", path, token=user.access)
    body = assert_problem(r, 400, "VALIDATION_FAILED")
    assert param in problem_fields(body), body


# ---- 3. NUL and other control characters in JSON strings

def test_nul_in_a_json_string_is_refused_everywhere(api, user):
    r = api.post("/v1/auth/register", {"email": f"nul-{uuid.uuid4().hex[:8]}@example.com",
                                       "password": "correct horse battery", "full_name": "a\u0000b"})
    body = assert_problem(r, 400, "VALIDATION_FAILED")
    assert "full_name" in problem_fields(body)
    cats = api.get("/v1/forum/categories").json()["items"]
    r = api.post("/v1/forum/threads", {"category_id": cats[0]["id"], "title": "A question about NUL",
                                       "body": "a\u0000b"}, token=user.access)
    body = assert_problem(r, 400, "VALIDATION_FAILED")
    assert "body" in problem_fields(body)
    r = api.patch("/v1/me", {"full_name": "x\u0000"}, token=user.access)
    assert_problem(r, 400, "VALIDATION_FAILED")
    assert api.get("/v1/me", token=user.access).json()["full_name"] == "Asha Rao"


# ---- 4. timestamps: every RFC 3339 instant is accepted or refused with 400

def test_list_appointments_accepts_any_rfc3339_timestamp(api, user):
    for params in ({"from": "2026-12-05T06:00:00.123Z"},
                   {"from": "2026-12-05T06:00:00.123456789+05:30"},
                   {"to": "2038-01-19T03:14:08Z"},
                   {"to": "9999-12-31T23:59:59.999999999Z"},
                   {"from": "0001-01-01T00:00:00Z"},
                   {"from": "0001-01-01T00:00:00Z", "to": "9999-12-31T23:59:59Z"},
                   {"to": "1970-01-01T00:00:00Z"}):
        r = api.get("/v1/appointments", token=user.access, params=params)
        assert r.status_code == 200, (params, r.text)
    for bad in ("2026-13-01T00:00:00Z", "0000-01-01T00:00:00Z", "2026-12-05", "2026-12-05T06:00:00"):
        assert_problem(api.get("/v1/appointments", token=user.access, params={"from": bad}), 400)


def test_epoch_as_upper_bound_is_a_bound(api, clinic_with_video):
    patient = new_patient(api)
    prof = clinic_with_video["practitioner"]
    slot = later_slots(api, prof["id"])[0]
    assert book(api, patient, prof, slot).status_code == 201
    everything = api.get("/v1/appointments", token=patient.access).json()["items"]
    assert len(everything) == 1
    r = api.get("/v1/appointments", token=patient.access, params={"to": "1970-01-01T00:00:00Z"})
    assert r.status_code == 200 and r.json()["items"] == [], r.text
    r = api.get("/v1/appointments", token=patient.access, params={"from": "1970-01-01T00:00:00Z"})
    assert len(r.json()["items"]) == 1


def test_slot_listing_with_extreme_windows_is_a_400(api, clinic_with_video):
    pid = clinic_with_video["practitioner"]["id"]
    for params in ({"from": "0001-01-01T00:00:00Z", "to": "0001-01-20T00:00:00Z"},
                   {"from": "9999-12-01T00:00:00Z", "to": "9999-12-31T00:00:00Z"},
                   {"from": "0001-01-01T00:00:00Z", "to": "9999-12-31T23:59:59Z"}):
        r = api.get(f"/v1/practitioners/{pid}/slots", params=params)
        assert r.status_code in (200, 400), (params, r.text)
    r = api.get(f"/v1/practitioners/{pid}/slots", params={"from": "2026-12-05T06:00:00.123Z"})
    assert r.status_code in (200, 400), r.text


# ---- 5. page tokens are opaque and checked

def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


TAMPERED = [b64(b'["0","1"]'), b64(b"abc|def"), b64(b"NaN|" + str(uuid.uuid4()).encode()),
            b64(b"1e300|" + str(uuid.uuid4()).encode()), b64(b"-1"), b64(b"\xff\xfe"), "not base64!",
            b64(b"x" * 2000)]


def test_tampered_page_tokens_are_a_400(api, user, admin, verified_org):
    org_id = verified_org["org"]["id"]
    owner = verified_org["owner"]
    lists = [("/v1/practitioners", None), (f"/v1/organizations/{org_id}/facilities", None),
             (f"/v1/organizations/{org_id}/staff", owner.access), ("/v1/admin/verifications", admin.access),
             ("/v1/notifications", user.access), ("/v1/admin/notifications/failed", admin.access),
             ("/v1/appointments", user.access), ("/v1/forum/threads", None), ("/v1/forum/search?q=pain", None),
             ("/v1/forum/private-threads", user.access), ("/v1/forum/moderation/queue", admin.access)]
    for path, token in lists:
        for t in TAMPERED:
            sep = "&" if "?" in path else "?"
            r = api.get(f"{path}{sep}page_token={urllib.parse.quote(t)}", token=token)
            body = assert_problem(r, 400, "INVALID_PAGE_TOKEN")
            assert problem_fields(body) == ["page_token"], body


def test_a_page_token_from_one_list_does_not_open_another(api, user, admin):
    for i in range(3):
        api.register(name=f"Pager {i}")
    r = api.get("/v1/admin/verifications", token=admin.access, params={"limit": 1})
    assert r.status_code == 200
    r = api.get("/v1/notifications", token=user.access, params={"limit": 1})
    assert r.status_code == 200
    # A real token of the practitioner search is not a token of the appointment list.
    tokens = [t for t in [api.get("/v1/practitioners", params={"limit": 1}).json().get("next_page_token")] if t]
    for t in tokens:
        assert_problem(api.get("/v1/appointments", token=user.access, params={"page_token": t}), 400,
                       "INVALID_PAGE_TOKEN")


# ---- 6. two bookings of one slot in different modes: one wins, the other gets 409

@pytest.fixture
def clinic_with_video(api, verified_org):
    doctor, prof = make_practitioner(api, verified_org, display_name="Dr. Two Modes",
                                     consultation_modes=["in_person", "video"])
    fac = verified_org["facility"]["id"]
    publish(api, doctor, prof["id"], week_rules(fac) + week_rules(fac, mode="video"))
    return {"doctor": doctor, "practitioner": prof, **verified_org}


def test_racing_bookings_in_two_modes_never_answer_500(api, clinic_with_video):
    # Eight patients race for each time, four per mode: the inserts meet in the exclusion
    # constraint, where PostgreSQL used to roll one back as a deadlock victim (500).
    prof = clinic_with_video["practitioner"]
    items = later_slots(api, prof["id"])
    by_start = {}
    for s in items:
        by_start.setdefault(s["start"], {})[s["mode"]] = s
    pairs = [v for v in by_start.values() if len(v) == 2][:100]
    assert len(pairs) >= 50
    patients = [new_patient(api) for _ in range(8)]
    clients = [api.__class__(api.base) for _ in range(8)]
    outcomes = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        for pair in pairs:
            futures = [pool.submit(book, clients[i], patients[i], prof, pair["in_person" if i % 2 else "video"])
                       for i in range(8)]
            outcomes.append(sorted(f.result().status_code for f in futures))
    assert all(o == [201] + [409] * 7 for o in outcomes), [o for o in outcomes if o != [201] + [409] * 7]


# ---- 7. the per-account lockout keys on the normalised email

def test_lockout_cannot_be_bypassed_with_a_variant_of_the_email(api):
    u = api.register()
    for _ in range(10):
        r = api.post("/v1/auth/login", {"email": u.email, "password": "wrong password 123"})
        assert r.status_code in (401, 429)
    assert_problem(api.post("/v1/auth/login", {"email": u.email, "password": u.password}), 429)
    local, domain = u.email.split("@")
    for variant in (u.email + "\u0000x", "  " + u.email.upper() + " ", f"{local}@{domain.upper()}",
                    u.email + "\u200b"):
        r = api.post("/v1/auth/login", {"email": variant, "password": u.password})
        assert r.status_code in (400, 401, 429), (variant, r.text)
        assert "access_token" not in r.text


# ---- 8. a bad token does not skip the per-IP rate limit

@contextlib.contextmanager
def own_bff(**env_over):
    """A BFF replica of our own (same services), with its own settings."""
    from test_realtime import free_ports, start
    http_port, admin_port = free_ports(2)
    env = dict(os.environ)
    for line in os.environ["BFF_ENV"].splitlines():
        k, _, v = line.partition("=")
        env[k] = v
    env.update({"HTTP_PORT": str(http_port), "ADMIN_PORT": str(admin_port), **env_over})
    url = f"http://127.0.0.1:{http_port}"
    proc = start(os.path.join(os.path.dirname(os.environ["IAM_BIN"]), "bff-service"), env, url,
                 "bff-own.log")
    try:
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0


def test_requests_with_an_invalid_token_are_rate_limited(api):
    with own_bff(RATE_LIMIT_IP_PER_SECOND="1", RATE_LIMIT_IP_BURST="20") as base:
        other = Api(base)
        codes = [other.get("/v1/me", token="not.a.token").status_code for _ in range(40)]
        assert codes.count(429) >= 15, codes
        assert set(codes) <= {401, 429}
        codes = [other.get("/v1/me").status_code for _ in range(5)]  # no token at all
        assert codes == [429] * 5, codes


# ---- 9. request framing (RFC 9112 §6.3)

@pytest.mark.parametrize("framing", [
    b"Transfer-Encoding: xchunked\r\nContent-Length: 2\r\n",
    b"Transfer-Encoding: chunked, identity\r\n",
    b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
    b"Transfer-Encoding: gzip\r\n",
    b"Content-Length: 2\r\nContent-Length: 3\r\n",
])
def test_ambiguous_framing_is_a_400_and_the_connection_closes(api, framing):
    smuggled = b"GET /v1/practitioners HTTP/1.1\r\nHost: x\r\n\r\n"
    body = b"0\r\n\r\n" + smuggled
    req = (b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + framing +
           b"\r\n" + body)
    out = raw_exchange(api.base, req)
    assert out.startswith(b"HTTP/1.1 400"), out[:200]
    assert out.count(b"HTTP/1.1 ") == 1, out  # nothing ran as a second request
    alive(api)


# ---- 10. a verified organization that changes who it is goes back to review

def test_identity_changes_of_a_verified_org_wait_for_review(api, verified_org, admin):
    org, owner = verified_org["org"], verified_org["owner"]
    before = api.get(f"/v1/organizations/{org['id']}").json()
    assert before["status"] == "verified"
    r = api.patch(f"/v1/organizations/{org['id']}",
                  {"legal_name": "Somebody Else Hospitals Ltd", "gstin": "27AAACR5055K1Z7"}, token=owner.access)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["legal_name"] == before["legal_name"] and body["gstin"] == before["gstin"]
    assert body["pending_identity_change"]["legal_name"] == "Somebody Else Hospitals Ltd"
    public = api.get(f"/v1/organizations/{org['id']}").json()
    assert public["legal_name"] == before["legal_name"] and public["status"] == "verified"
    queue = api.get("/v1/admin/verifications", token=admin.access, params={"limit": 100}).json()["items"]
    assert org["id"] in [o["organization"]["id"] for o in queue]
    r = api.post(f"/v1/admin/organizations/{org['id']}/verification", {"decision": "approve"}, token=admin.access)
    assert r.status_code == 200, r.text
    after = api.get(f"/v1/organizations/{org['id']}").json()
    assert after["legal_name"] == "Somebody Else Hospitals Ltd" and after["gstin"] == "27AAACR5055K1Z7"
    assert after["status"] == "verified" and "pending_identity_change" not in after
    history = api.get(f"/v1/organizations/{org['id']}", token=admin.access).json()["verification_history"]
    reasons = [h.get("reason", "") for h in history]
    assert "identity change requested: legal_name, gstin" in reasons, history
    assert "identity change approved" in reasons, history
    assert "pending_identity_change" not in api.get(f"/v1/organizations/{org['id']}", token=owner.access).json()
    # Rejected: the old identity stays.
    api.patch(f"/v1/organizations/{org['id']}", {"registration_number": "FORGED-1"}, token=owner.access)
    r = api.post(f"/v1/admin/organizations/{org['id']}/verification",
                 {"decision": "reject", "reason": "The certificate names another company"}, token=admin.access)
    assert r.status_code == 200, r.text
    final = api.get(f"/v1/organizations/{org['id']}").json()
    assert final["registration_number"] == before["registration_number"] and final["status"] == "verified"
    # Other fields still change at once.
    r = api.patch(f"/v1/organizations/{org['id']}", {"display_name": "Sunrise Clinic Indiranagar"},
                  token=owner.access)
    assert r.status_code == 200 and r.json()["display_name"] == "Sunrise Clinic Indiranagar"


# ---- 11. security headers and display names

def test_permissions_policy_on_every_response(api):
    for path in ("/health", "/v1/practitioners", "/v1/nothing-here"):
        assert "Permissions-Policy" in api.get(path).headers, path


@pytest.mark.parametrize("name", ["Dr. Ann\u202eaD", "Asha\u200bRao", "Asha\u2066Rao", "\ufeffAsha", "A\u0007sha"])
def test_display_names_refuse_bidi_and_invisible_characters(api, user, verified_org, name):
    body = assert_problem(api.patch("/v1/me", {"full_name": name}, token=user.access), 400, "VALIDATION_FAILED")
    assert "full_name" in problem_fields(body)
    r = api.post("/v1/auth/register", {"email": f"bidi-{uuid.uuid4().hex[:8]}@example.com",
                                       "password": "correct horse battery", "full_name": name})
    assert_problem(r, 400, "VALIDATION_FAILED")
    owner = verified_org["owner"]
    r = api.patch(f"/v1/organizations/{verified_org['org']['id']}", {"display_name": name}, token=owner.access)
    assert_problem(r, 400, "VALIDATION_FAILED")
    doctor, _ = make_practitioner(api, verified_org)
    r = api.call("PUT", "/v1/practitioners/me", {"display_name": name, "specialties": ["General Medicine"],
                                                 "facility_ids": [verified_org["facility"]["id"]]},
                 token=doctor.access)
    assert_problem(r, 400, "VALIDATION_FAILED")
    # Scripts people write their names in still work.
    assert api.patch("/v1/me", {"full_name": "आशा राव"}, token=user.access).status_code == 200
