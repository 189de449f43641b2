#!/usr/bin/env python3
"""API fuzz test (issue 12): every operation of /v1/openapi.json, called as an attacker, a
fuzzer and a careless client would, against the running stack.

For each operation the fuzzer builds a plausible request (real ids of a small world it makes
first, values that fit the schema) and then breaks one thing in it: invalid UTF-8 or NUL in
a path segment, query value, header or JSON string; huge, negative, fractional and
non-finite numbers; extreme and fractional timestamps; tampered page tokens; wrong types,
unknown fields, deep nesting, wrong media types and framing-level oddities. The seed is fixed,
so a failure is reproducible with FUZZ_SEED and FUZZ_REQUESTS.

It passes only when no response is >= 500, every platform process still runs with the pid
it had at the start (nothing crashed and was restarted behind our back), and /ready is green
afterwards. Output: one line per check ("ok"/"not ok") and "N passed, M failed" last.

Environment (./healthtech test sets it): BFF_URL, HEALTHTECH_DATA, IAM_BIN, IAM_ENV.
"""
import base64
import http.client
import json
import os
import random
import sys
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from conftest import PDF, Api, grant_admin, make_practitioner, org_body, upload  # noqa: E402

BASE = os.environ["BFF_URL"]
DATA = os.environ["HEALTHTECH_DATA"]
SEED = int(os.environ.get("FUZZ_SEED", "20261205"))
COUNT = int(os.environ.get("FUZZ_REQUESTS", "3000"))
PROCESSES = ["iam", "org", "appointment", "payment", "notification", "forum", "uhi", "bff"]
rng = random.Random(SEED)

HOSTILE_TEXT = [
    "", " ", "\u0000", "a\u0000b", "\u202eevil", "\u200b", "\ufeff", "x" * 5000, "😀" * 300,
    "' OR 1=1 --", "'; DROP TABLE iam.users; --", "<script>alert(1)</script>", "../../etc/passwd",
    "%00", "%ff", "\\", "\"", "{}", "[]", "null", "NaN", "-1", "1e309", "\r\nX-Injected: 1",
    "${jndi:ldap://x}", "{{7*7}}", "\t", "\u0085", "🏥" * 2, "\U0010ffff", "\udbff",
]
HOSTILE_NUMBERS = [0, -1, 1, 2**31, -2**31 - 1, 2**53 + 1, 2**63, -2**63, 2**64, 1e300, -1e300,
                   1.5, -0.0, 0.1, 9007199254740993, 10**30]
HOSTILE_TIMES = [
    "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "1970-01-01T00:00:00Z",
    "2038-01-19T03:14:08Z", "2026-12-05T06:00:00.123Z", "2026-12-05T06:00:00.123456789+05:30",
    "2026-12-05T06:00:00-12:00", "2026-13-45T25:61:61Z", "0000-01-01T00:00:00Z", "2026-12-05",
    "now", "1733378400", "2026-12-05T06:00:00", "+275760-09-13T00:00:00Z", "2026-02-29T00:00:00Z",
]
HOSTILE_DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "1970-01-01", "20261205",
                 "2026-12-05T00:00:00Z", "yesterday", "2026-1-5"]
# Bytes for URLs (already percent-encoded, sent as they are).
HOSTILE_URL = ["%ff", "%ed%a0%80", "%c0%af", "%00", "a%00b", "%", "%zz", "%e2%80%ae", "..%2f..%2f",
               "%2e%2e", "x" * 3000, "%f4%90%80%80", "+", "%20", "%0d%0aX:1"]
HOSTILE_HEADER_BYTES = [b"\xff\xfe", b"a\x00b", b"\x01\x02", "ключ".encode(), b"x" * 8000,
                        b"\xc3\x28", b"tab\there", b"\x7f"]


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


HOSTILE_PAGE_TOKENS = [b64(b'["0","1"]'), b64(b"abc|def"), b64(b"NaN|" + str(uuid.uuid4()).encode()),
                       b64(b"1e300|" + str(uuid.uuid4()).encode()), b64(b"o99999999"), b64(b"s-1"),
                       b64(b"\x01" + b'["appointments","x","y"]' + b"\x00" * 16), "%ff", "!!", b64(b"x" * 900)]


class Client:
    """One keep-alive connection; requests are sent byte for byte as built."""

    def __init__(self):
        u = urllib.parse.urlsplit(BASE)
        self.host, self.port = u.hostname, u.port
        self.conn = None

    def send(self, method, target, headers, body=None):
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.conn.putrequest(method, target, skip_host=False, skip_accept_encoding=True)
                for k, v in headers:
                    self.conn.putheader(k, v)
                if body is not None:
                    self.conn.putheader("Content-Length", str(len(body)))
                try:
                    self.conn.endheaders(body)
                except (BrokenPipeError, ConnectionResetError):
                    # The server may answer (413) and close before reading a large body.
                    pass
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, data
            except (http.client.HTTPException, ConnectionError, OSError) as e:
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    return 599, repr(e).encode()
        return 599, b""


def pids():
    out = {}
    for p in PROCESSES:
        try:
            out[p] = int(open(os.path.join(DATA, "run", f"{p}.pid")).read())
        except (OSError, ValueError):
            out[p] = None
    return out


def restarts():
    out = {}
    for p in PROCESSES:
        try:
            out[p] = int(open(os.path.join(DATA, "run", f"{p}.restarts")).read())
        except (OSError, ValueError):
            out[p] = 0
    return out


# ---------------------------------------------------------------- the world to fuzz

class World:
    def __init__(self):
        api = Api(BASE)
        self.api = api
        self.admin = api.register(name="Fuzz Admin")
        grant_admin(self.admin.email)
        api.login(self.admin)
        self.owner = api.register(name="Fuzz Owner")
        api.login(self.owner)
        self.patient = api.register(name="Fuzz Patient")
        api.login(self.patient)
        org = api.post("/v1/organizations", org_body(), token=self.owner.access).json()
        assert upload(api, self.owner.access, org["id"], PDF).status_code == 201
        doc = api.get(f"/v1/organizations/{org['id']}", token=self.owner.access).json()
        api.post(f"/v1/organizations/{org['id']}/submit", token=self.owner.access)
        r = api.post(f"/v1/admin/organizations/{org['id']}/verification", {"decision": "approve"},
                     token=self.admin.access)
        assert r.status_code == 200, r.text
        fac = api.post(f"/v1/organizations/{org['id']}/facilities",
                       {"name": "Fuzz Clinic", "timezone": "Asia/Kolkata",
                        "address": {"line1": "1 Fuzz Road", "city": "Bengaluru", "state": "Karnataka",
                                    "pincode": "560001"}}, token=self.owner.access).json()
        verified = {"org": org, "facility": fac, "owner": self.owner}
        self.doctor, prof = make_practitioner(api, verified, display_name="Dr. Fuzz",
                                              consultation_modes=["in_person", "video"])
        rules = [{"facility_id": fac["id"], "mode": m, "weekday": d, "start_local": "09:00",
                  "end_local": "17:00", "slot_minutes": 30}
                 for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
                 for m in ("in_person", "video")]
        r = api.call("PUT", f"/v1/practitioners/{prof['id']}/availability",
                     {"rules": rules, "min_notice_minutes": 60, "horizon_days": 30}, token=self.doctor.access)
        assert r.status_code == 200, r.text
        slots = api.get(f"/v1/practitioners/{prof['id']}/slots").json()["items"]
        appt = api.post("/v1/appointments", {"practitioner_id": prof["id"], "facility_id": fac["id"],
                                             "start": slots[0]["start"], "mode": slots[0]["mode"]},
                        token=self.patient.access, headers={"Idempotency-Key": str(uuid.uuid4())}).json()
        # A category of our own: earlier tests leave categories where only moderators may post, or with
        # slow mode, and the first one listed may be any of them.
        r = api.post("/v1/forum/categories", {"name": f"Fuzz {uuid.uuid4().hex[:8]}", "description": "Fuzzing"},
                     token=self.admin.access)
        assert r.status_code == 201, r.text
        cats = [r.json()] + api.get("/v1/forum/categories").json()["items"]
        r = api.post("/v1/forum/threads", {"category_id": cats[0]["id"], "title": "Fuzzing the forum",
                                           "body": "Is this thing on?"}, token=self.patient.access)
        assert r.status_code == 201, r.text
        thread = r.json()
        r = api.post(f"/v1/forum/threads/{thread['id']}/posts", {"body": "A reply"}, token=self.owner.access)
        assert r.status_code == 201, r.text
        post = r.json()
        private = api.post("/v1/forum/private-threads", {"practitioner_id": prof["id"], "title": "About my visit",
                                                         "body": "Hello doctor"}, token=self.patient.access).json()
        self.slots = slots
        self.watched = api.get("/v1/forum/moderation/watched-words", token=self.admin.access).json()
        self.ids = {
            "organization": [org["id"]], "facility": [fac["id"]], "practitioner": [prof["id"]],
            "appointment": [appt.get("id", str(uuid.uuid4()))], "thread": [thread.get("id", str(uuid.uuid4())),
                                                                         private.get("id", str(uuid.uuid4()))],
            "post": [post.get("id", str(uuid.uuid4()))], "category": [c["id"] for c in cats],
            "user": [self.patient.id, self.owner.id, self.doctor.id],
            "payment": [str(uuid.uuid4())], "invoice": [str(uuid.uuid4())], "notification": [str(uuid.uuid4())],
            "document": [d["id"] for d in doc.get("documents", [])] or [str(uuid.uuid4())],
        }
        self.identities = {"anon": None, "patient": self.patient, "owner": self.owner,
                           "doctor": self.doctor, "admin": self.admin}

    def token(self, who):
        u = self.identities[who]
        return u.access if u else None

    def relogin(self, who):
        u = self.identities[who]
        if u is not None:
            r = self.api.post("/v1/auth/login", {"email": u.email, "password": u.password})
            if r.status_code == 200 and "access_token" in r.json():
                u.access = r.json()["access_token"]

    def restore(self):
        self.relogin("admin")
        self.api.call("PUT", "/v1/forum/moderation/watched-words", self.watched, token=self.admin.access)


def id_for(world, path, name):
    """A real id for path parameter `name` of `path`, by what the path is about."""
    key = name.replace("_id", "")
    if name == "id":
        seg = [s for s in path.split("/") if s and not s.startswith("{")]
        last = seg[-1] if seg else ""
        key = {"appointments": "appointment", "organizations": "organization", "practitioners": "practitioner",
               "payments": "payment", "invoices": "invoice", "notifications": "notification", "threads": "thread",
               "posts": "post", "private-threads": "thread"}.get(last, "organization")
    if key == "org":
        key = "organization"
    if name == "gateway":
        return "razorpay"
    if name == "role":
        return rng.choice(["moderator", "patient", "platform_admin"])
    if name == "token":
        return b64(os.urandom(24))
    return rng.choice(world.ids.get(key, [str(uuid.uuid4())]))


# ---------------------------------------------------------------- values from schemas

def resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def plausible(spec, world, name, schema, depth=0):
    schema = resolve(spec, schema)
    t = schema.get("type")
    if "enum" in schema:
        return rng.choice(schema["enum"])
    if t == "array":
        return [plausible(spec, world, name, schema.get("items", {}), depth + 1) for _ in range(rng.randint(0, 2))]
    if t == "object":
        if depth > 3:
            return {}
        props = schema.get("properties", {})
        return {k: plausible(spec, world, k, v, depth + 1) for k, v in props.items() if rng.random() < 0.7}
    if t == "boolean":
        return rng.random() < 0.5
    if t in ("integer", "number"):
        return rng.choice([0, 1, 5, 20, 30, 100, 500])
    if schema.get("format") == "date-time":
        if name == "start" and world.slots:
            return rng.choice(world.slots)["start"]
        return rng.choice(["2026-12-20T09:00:00+05:30", "2027-01-05T04:30:00Z"])
    if name.endswith("_id") or name == "id":
        return id_for(world, "", name)
    if "date" in name or name in ("available_on",):
        return "2027-01-05"
    if "email" in name:
        return f"fuzz-{rng.randrange(10**6)}@example.com"
    if "phone" in name:
        return "+919812345678"
    if name.endswith("_local") or name in ("start", "end", "quiet_hours_start", "quiet_hours_end"):
        return rng.choice(["09:00", "17:30", "24:00", "00:00"])
    if name in ("timezone", "time_zone"):
        return rng.choice(["Asia/Kolkata", "UTC", "America/New_York"])
    if name == "locale":
        return rng.choice(["en", "hi"])
    return rng.choice(["hello", "Dr. Test", "General Medicine", "Bengaluru", "KA-1", "a reason to act"])


def hostile_value(schema_type, name):
    if name in ("from", "to", "start", "end", "until") or "_at" in name:
        pool = HOSTILE_TIMES + HOSTILE_TEXT[:10]
    elif "date" in name or name == "available_on":
        pool = HOSTILE_DATES
    elif name == "page_token":
        pool = HOSTILE_PAGE_TOKENS
    elif schema_type in ("integer", "number"):
        pool = HOSTILE_NUMBERS + ["12", None, True, [], {}]
    else:
        pool = HOSTILE_TEXT + HOSTILE_NUMBERS[:4] + [None, True, [], {"a": 1}]
    return rng.choice(pool)


def to_query_text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)) or v is None:
        return json.dumps(v)
    return str(v)


def mutate_body(spec, body, schema):
    """Breaks one thing in a JSON body, or the body as a whole."""
    kind = rng.random()
    props = resolve(spec, schema).get("properties", {}) if schema else {}
    if kind < 0.55 and props:
        name = rng.choice(list(props))
        s = resolve(spec, props[name])
        body[name] = hostile_value(s.get("type"), name)
        return json.dumps(body, allow_nan=True).encode()
    if kind < 0.62:
        body[rng.choice(["idempotency_key", "request_hash", "__proto__", "id", "x" * 300])] = "deadbeef"
        return json.dumps(body).encode()
    if kind < 0.70:
        depth = rng.choice([64, 1000, 20000])
        return (b'{"a":' * depth) + b"1" + (b"}" * depth)
    if kind < 0.76:
        return rng.choice([b"[]", b"null", b"1", b'"x"', b"{", b'{"a":}', b"\xff\xfe", b'{"a":"\xff"}',
                           b'{"a":1,"a":2}', b'{"x":NaN}', b'{"x":1e999}'])
    if kind < 0.82 and props:
        name = rng.choice(list(props))
        return json.dumps(body).encode().replace(b"}", b',"' + name.encode() + b'":"\xed\xa0\x80"}', 1)
    if kind < 0.88:
        return json.dumps(body).encode() + b" " * rng.choice([0, 1024 * 1024 + 10])
    return json.dumps(body, allow_nan=True).encode()


# ---------------------------------------------------------------- one request

def build(spec, world, path, method, op):
    who = rng.choice(["patient", "owner", "doctor", "admin"]) if op.get("security") else \
        rng.choice(["anon", "anon", "patient", "admin"])
    headers = [("Content-Type", "application/json")]
    token = world.token(who)
    if token:
        headers.append(("Authorization", f"Bearer {token}"))
    if method == "POST":
        headers.append(("Idempotency-Key", str(uuid.UUID(int=rng.getrandbits(128)))))

    # Parameters shared by many operations (the documented headers) are $refs to components.
    params = [spec["components"]["parameters"][p["$ref"].split("/")[-1]] if "$ref" in p else p
              for p in op.get("parameters", [])]
    target_parts = []
    for seg in path.split("/"):
        if seg.startswith("{"):
            name = seg[1:seg.index("}")]
            suffix = seg[seg.index("}") + 1:]
            target_parts.append(urllib.parse.quote(id_for(world, path, name), safe="", errors="surrogatepass") + suffix)
        else:
            target_parts.append(seg)
    query = []
    for p in params:
        if p["in"] == "query" and rng.random() < 0.4:
            query.append((p["name"], plausible(spec, world, p["name"], p.get("schema", {}))))

    body = None
    body_schema = None
    rb = op.get("requestBody", {}).get("content", {}).get("application/json")
    if rb:
        body_schema = rb["schema"]
        body = plausible(spec, world, "body", body_schema)

    # Break one thing.
    where = rng.random()
    raw_query = None
    raw_body = None
    if where < 0.18 and any(s.startswith("{") for s in path.split("/")):
        idx = [i for i, s in enumerate(path.split("/")) if s.startswith("{")]
        target_parts[rng.choice(idx)] = rng.choice(HOSTILE_URL)
    elif where < 0.40 and params:
        qp = [p for p in params if p["in"] == "query"]
        if qp:
            p = rng.choice(qp)
            if rng.random() < 0.5:
                raw_query = f"{p['name']}={rng.choice(HOSTILE_URL)}"
            else:
                query.append((p["name"], hostile_value(resolve(spec, p.get("schema", {})).get("type"), p["name"])))
            if rng.random() < 0.1:
                query.append((p["name"], "again"))
        else:
            raw_query = rng.choice(["a=%ff", "page_token=%00", "%ff=1", "limit=1e309"])
    elif where < 0.52:
        name = rng.choice(["User-Agent", "Idempotency-Key", "X-Request-Id", "traceparent", "X-Session",
                           "Cookie", "Origin", "Authorization", "X-Razorpay-Signature", "Content-Type",
                           "Accept-Language", "X-Forwarded-For"])
        value = rng.choice(HOSTILE_HEADER_BYTES)
        if name == "Authorization":
            value = b"Bearer " + value
        headers = [(k, v) for k, v in headers if k.lower() != name.lower()] + [(name, value)]
    elif where < 0.58:
        query.append(("page_token", rng.choice(HOSTILE_PAGE_TOKENS)))
        query.append(("limit", rng.choice([-1, 0, 101, 10**12, "1.5", "abc"])))
    elif body is not None:
        raw_body = mutate_body(spec, body, body_schema)
    elif rng.random() < 0.5:
        raw_body = rng.choice([b"{}", b'{"x":1}', b"\xff", b"not json"])
        if rng.random() < 0.3:
            headers = [(k, v) for k, v in headers if k != "Content-Type"] + [("Content-Type", b"text/pl\xffain")]

    target = "/".join(target_parts)
    qs = urllib.parse.urlencode([(k, to_query_text(v)) for k, v in query], errors="surrogatepass")
    if raw_query:
        qs = f"{qs}&{raw_query}" if qs else raw_query
    if qs:
        target += "?" + qs
    if raw_body is None and body is not None:
        raw_body = json.dumps(body).encode()
    if method in ("GET", "DELETE") and raw_body is not None and rng.random() < 0.7:
        raw_body = None
    return who, target, headers, raw_body


# ---------------------------------------------------------------- run

def main():
    results = []

    def check(ok, name, detail=""):
        results.append(ok)
        print(f"{'ok' if ok else 'not ok'} {len(results)} - {name}")
        if not ok and detail:
            for line in str(detail).splitlines()[:40]:
                print(f"    {line}")

    spec = json.loads(Api(BASE).get("/v1/openapi.json").text)
    ops = [(p, m, op) for p, item in sorted(spec["paths"].items()) for m, op in sorted(item.items())]
    world = World()
    start_pids = pids()
    start_restarts = restarts()
    check(all(start_pids.values()), "every platform process has a pid file", start_pids)

    client = Client()
    failures, statuses, sent = [], {}, 0
    t0 = time.time()
    per_op = max(1, COUNT // len(ops))
    for i in range(per_op):
        for path, method, op in ops:
            if path in ("/v1/auth/logout-all",) and rng.random() < 0.8:
                continue  # would end every session of the identity; try it sometimes
            who, target, headers, body = build(spec, world, path, method.upper(), op)
            status, data = client.send(method.upper(), target, headers, body)
            sent += 1
            statuses[status // 100] = statuses.get(status // 100, 0) + 1
            if status >= 500:
                failures.append(f"{status} {method.upper()} {target[:300]} as {who}\n"
                                f"  body: {(body or b'')[:300]!r}\n  headers: {[(k, v if isinstance(v, str) else v[:40]) for k, v in headers][:6]}\n"
                                f"  answer: {data[:300]!r}")
            if status == 401 and who != "anon" and b"TOKEN_" in data:
                world.relogin(who)
    elapsed = time.time() - t0
    world.restore()
    print(f"# {sent} requests in {elapsed:.1f} s (seed {SEED}); by class: "
          + ", ".join(f"{k}xx={v}" for k, v in sorted(statuses.items())))
    check(not failures, f"no response >= 500 among {sent} fuzzed requests", "\n".join(failures[:15]) +
          (f"\n... and {len(failures) - 15} more" if len(failures) > 15 else ""))
    end_pids = pids()
    check(end_pids == start_pids and restarts() == start_restarts,
          "every process still runs with its start pid (no crash, no restart)",
          f"start {start_pids}\nend   {end_pids}\nrestarts {restarts()}")
    ready = Api(BASE).get("/ready")
    check(ready.status_code == 200, "/ready is green afterwards", ready.text)
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
