"""Fixtures for integration tests that drive the REST API of a running stack.

`./healthtech test` starts a throwaway stack (PostgreSQL, Redis, every service, the BFF)
and exports BFF_URL and friends. A missing variable fails the run: these tests never
skip themselves silently.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import struct
import time
import uuid

import pytest
import requests

from contract import checking_hook


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set; run the suite with ./healthtech test", pytrace=False)
    return value


@pytest.fixture(scope="session")
def base_url():
    return _env("BFF_URL")


class Api:
    def __init__(self, base, check_contract=True):
        self.base = base
        self.s = requests.Session()
        if check_contract:  # every response is held to /v1/openapi.json (contract.py)
            self.s.hooks["response"].append(checking_hook(base))

    def call(self, method, path, json_body=None, token=None, headers=None, **kw):
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        return self.s.request(method, self.base + path, json=json_body, headers=h, timeout=30, **kw)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body if body is not None else {}, **kw)

    def patch(self, path, body=None, **kw):
        return self.call("PATCH", path, body, **kw)

    def delete(self, path, body=None, **kw):
        return self.call("DELETE", path, body, **kw)

    # ---- flows
    def outbox(self, email, at_least=1, timeout=20):
        """What the development email/SMS sinks received for an address. Delivery is
        asynchronous (event -> notification-service -> SMTP), so this waits until at least
        `at_least` messages are there (or the timeout passes) and returns them all."""
        deadline = time.time() + timeout
        while True:
            r = self.get("/v1/dev/outbox", params={"to": email})
            assert r.status_code == 200, r.text
            items = r.json()["items"]
            if len(items) >= at_least or time.time() > deadline:
                return items
            time.sleep(0.1)

    def last_token(self, email, kind="verify-email", timeout=20):
        deadline = time.time() + timeout
        while True:
            for msg in reversed(self.outbox(email, at_least=0)):
                m = re.search(kind + r"\?token=([A-Za-z0-9_-]+)", msg["body"])
                if m:
                    return m.group(1)
            if time.time() > deadline:
                raise AssertionError(f"no {kind} link sent to {email}")
            time.sleep(0.1)

    def register(self, email=None, password="correct horse battery", name="Asha Rao", verify=True):
        email = email or f"user-{uuid.uuid4().hex[:12]}@example.com"
        r = self.post("/v1/auth/register", {"email": email, "password": password, "full_name": name})
        assert r.status_code == 201, r.text
        user_id = r.json()["user_id"]
        if verify:
            r = self.post("/v1/auth/verify-email", {"token": self.last_token(email)})
            assert r.status_code == 200, r.text
        return User(email=email, password=password, id=user_id)

    def login(self, user):
        r = self.post("/v1/auth/login", {"email": user.email, "password": user.password})
        assert r.status_code == 200, r.text
        body = r.json()
        user.access = body.get("access_token")
        user.refresh = body.get("refresh_token")
        return body


class User:
    def __init__(self, email, password, id):
        self.email, self.password, self.id = email, password, id
        self.access = self.refresh = None


@pytest.fixture
def api(base_url):
    return Api(base_url)


@pytest.fixture
def user(api):
    u = api.register()
    api.login(u)
    return u


@pytest.fixture(scope="session")
def db():
    import subprocess

    url = _env("TEST_DATABASE_URL")

    def sql(statement):
        out = subprocess.run(["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", url, "-c", statement],
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()

    return sql


def totp(secret_b32, at=None, step_offset=0):
    """RFC 6238 TOTP (SHA-1, 6 digits, 30 s)."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((at if at is not None else time.time()) // 30) + step_offset
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_parts(token):
    h, p, _ = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)
    return json.loads(base64.urlsafe_b64decode(pad(h))), json.loads(base64.urlsafe_b64decode(pad(p)))


def assert_problem(r, status, code=None):
    assert r.status_code == status, f"{r.status_code} {r.text}"
    assert r.headers["Content-Type"].startswith("application/problem+json"), r.headers
    body = r.json()
    for key in ("type", "title", "status", "detail", "code", "request_id"):
        assert key in body, body
    assert body["status"] == status
    assert body["request_id"] == r.headers["X-Request-Id"]
    if code:
        assert body["code"] == code, body
    return body


def stream_entries(stream):
    """Every entry of a Redis stream as (entry id, {field: value}), oldest first. redis-cli's
    JSON output keeps each entry whole whatever its values hold (a payload may carry U+2028,
    which str.splitlines() splits at) and however many fields it has."""
    import subprocess

    out = subprocess.run(["redis-cli", "-p", os.environ["REDIS_PORT"], "--json", "XRANGE", stream, "-", "+"],
                         capture_output=True, text=True, check=True).stdout
    return [(entry_id, dict(zip(fields[::2], fields[1::2]))) for entry_id, fields in json.loads(out or "[]")]


def restart_supervised(service, cmdline, environ):
    """Starts a platform process again the way ./healthtech up does (under
    scripts/supervise.py), after a test stopped it; returns the new process's pid."""
    import subprocess
    data = os.environ["HEALTHTECH_DATA"]
    pid_file = os.path.join(data, "run", f"{service}.pid")
    try:
        old = int(open(pid_file).read())
    except (OSError, ValueError):
        old = None
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    log = open(os.path.join(data, "logs", f"{service}.log"), "a")
    sup = subprocess.Popen(["/usr/bin/python3", os.path.join(root, "scripts", "supervise.py"), "--name",
                            f"{service}-service", "--pid-file", pid_file, "--restarts-file",
                            os.path.join(data, "run", f"{service}.restarts"), "--", *cmdline],
                           env=environ, stdout=log, stderr=log, start_new_session=True)
    with open(os.path.join(data, "run", f"{service}.supervisor.pid"), "w") as f:
        f.write(str(sup.pid))
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            pid = int(open(pid_file).read())
            if pid != old:
                return pid
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"{service} did not start again under its supervisor")


def process_alive(pid):
    try:
        return "zombie" not in open(f"/proc/{pid}/status").read().lower()
    except OSError:
        return False


def iam_env():
    env = dict(os.environ)
    for line in os.environ["IAM_ENV"].splitlines():
        k, _, v = line.partition("=")
        env[k] = v
    return env


def grant_admin(email):
    import subprocess
    out = subprocess.run([os.environ["IAM_BIN"], "grant-admin", email], env=iam_env(),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr + out.stdout


@pytest.fixture
def admin(api):
    u = api.register(name="Platform Admin")
    grant_admin(u.email)
    api.login(u)
    return u


# ---- organizations (shared by the org and appointment suites)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def org_body(**over):
    body = {"type": "clinic", "legal_name": "Sunrise Health Clinic Pvt Ltd", "display_name": "Sunrise Clinic",
            "registration_number": "KA-BLR-2024-0042",
            "address": {"line1": "12 MG Road", "city": "Bengaluru", "state": "Karnataka", "pincode": "560001"},
            "contact_email": "desk@sunrise.example", "contact_phone": "+918041234567",
            "gstin": "29AAGCB7383J1Z4"}
    body.update(over)
    return body


def upload(api, token, org_id, data, content_type="application/pdf", **params):
    return api.s.post(f"{api.base}/v1/organizations/{org_id}/documents", data=data,
                      params={"document_type": "registration_certificate", "filename": "cert.pdf", **params},
                      headers={"Authorization": f"Bearer {token}", "Content-Type": content_type}, timeout=30)


def refresh(api, user):
    r = api.post("/v1/auth/refresh", {"refresh_token": user.refresh})
    assert r.status_code == 200, r.text
    user.access, user.refresh = r.json()["access_token"], r.json()["refresh_token"]


@pytest.fixture
def verified_org(api, user, admin):
    """A verified clinic owned by `user`, with one facility in Bengaluru."""
    org = api.post("/v1/organizations", org_body(), token=user.access).json()
    assert upload(api, user.access, org["id"], PDF).status_code == 201
    assert api.post(f"/v1/organizations/{org['id']}/submit", token=user.access).status_code == 200
    r = api.post(f"/v1/admin/organizations/{org['id']}/verification", {"decision": "approve"}, token=admin.access)
    assert r.status_code == 200, r.text
    fac = api.post(f"/v1/organizations/{org['id']}/facilities",
                   {"name": "Sunrise MG Road", "timezone": "Asia/Kolkata",
                    "address": {"line1": "12 MG Road", "city": "Bengaluru", "state": "Karnataka",
                                "pincode": "560001"}}, token=user.access)
    assert fac.status_code == 201, fac.text
    return {"org": org, "facility": fac.json(), "owner": user}


def make_practitioner(api, verified_org, **profile):
    org, owner = verified_org["org"], verified_org["owner"]
    email = f"dr-{uuid.uuid4().hex[:8]}@example.com"
    doctor = api.register(email=email, name=profile.get("display_name", "Dr. Test"))
    api.post(f"/v1/organizations/{org['id']}/staff", {"email": email, "role": "practitioner"}, token=owner.access)
    token = None
    deadline = time.time() + 10
    while token is None and time.time() < deadline:
        try:
            token = api.last_token(email, "invitations/accept")
        except AssertionError:
            time.sleep(0.1)
    api.login(doctor)
    assert api.post(f"/v1/invitations/{token}/accept", token=doctor.access).status_code == 200
    body = {"display_name": "Dr. Test", "specialties": ["General Medicine"], "languages": ["en"],
            "consultation_modes": ["in_person"], "years_of_experience": 5,
            "facility_ids": [verified_org["facility"]["id"]]}
    body.update(profile)
    r = api.call("PUT", "/v1/practitioners/me", body, token=doctor.access)
    assert r.status_code == 200, r.text
    return doctor, r.json()


