"""The platform as a Health Service Provider Application on the Unified Health Interface,
through the local network (tools/uhi_sim: registry, gateway, patient app) and the BFF's
/uhi/ endpoints, signing as NHA's reference apps do: Python's hashlib and cryptography here,
independent of the service's C++ (libs/uhi) and the simulator's Node (tools/uhi_sim/uhi.mjs).
Callbacks are held to the JSON Schemas NHA's gateway executes (services/uhi/tests/schemas)."""
import base64
import datetime as dt
import hashlib
import json
import os
import pathlib
import time
import uuid

import jsonschema
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conftest import make_practitioner
from test_appointments import publish, slots, week_rules

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "services/uhi/tests/schemas"
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
DOMAIN = "nic2004:85111"


def env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set; run the suite with ./healthtech test", pytrace=False)
    return value


def b64(data):
    return base64.b64encode(data).decode()


def blake(data):
    return hashlib.blake2b(data, digest_size=64).digest()


def sign(key, keyid, body, created=None, expires=None):
    """UHI's profile (WIRE.md §2.1): Ed25519 over base64(BLAKE2b-512(space-joined string))."""
    created = int(time.time()) if created is None else created
    expires = created + 10 if expires is None else expires
    line = f"(created): {created} (expires): {expires} digest: BLAKE-512={b64(blake(body))}"
    signature = b64(key.sign(b64(blake(line.encode())).encode()))
    return json.dumps({"keyId": f"{keyid}|ed25519", "algorithm": "ed25519", "created": str(created),
                       "expires": str(expires), "headers": "(created) (expires) digest",
                       "signature": signature})


class Participant:
    """A patient app (or a gateway) of our own, registered with the local registry; its
    callbacks land at the simulator's /eua/<name>/ and are read back from there."""

    def __init__(self, kind="EUA", legacy=False):
        self.name = f"t{uuid.uuid4().hex[:10]}"
        self.subscriber_id = f"{self.name}.{kind.lower()}.test"
        self.key_id = "k1"
        self.kind = kind
        self.key = Ed25519PrivateKey.generate()
        self.url = f"{env('UHI_EUA_URL')}/eua/{self.name}"
        spki = self.key.public_key().public_bytes(serialization.Encoding.DER,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)
        r = requests.post(f"{env('UHI_REGISTRY_URL')}/dev/subscribers", timeout=10, json={
            "subscriber_id": self.subscriber_id, "pub_key_id": self.key_id, "type": kind,
            "signing_public_key": b64(spki), "url": self.url, "legacy": legacy})
        assert r.status_code == 201, r.text

    @property
    def keyid(self):
        return f"{self.subscriber_id}|{self.key_id}"

    def context(self, action="search", **over):
        ctx = {"domain": DOMAIN, "country": "IND", "city": "std:080", "action": action,
               "core_version": "0.7.1", "consumer_id": self.subscriber_id, "consumer_uri": self.url,
               "message_id": str(uuid.uuid4()), "transaction_id": str(uuid.uuid4()),
               "timestamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")
               .replace("+00:00", "Z")}
        ctx.update(over)
        return ctx

    def received(self, transaction_id, at_least=1, timeout=20):
        return received(self.name, transaction_id, at_least, timeout)

    def delivered_once(self, transaction_id, timeout=30):
        """The callbacks of a transaction, once one arrived and a second had time to follow."""
        return delivered_once(self.name, transaction_id, timeout)


def received(eua, transaction_id, at_least=1, timeout=20):
    """What the simulator's patient app `eua` received for a transaction, waiting up to
    `timeout` seconds for `at_least` callbacks."""
    deadline = time.time() + timeout
    while True:
        r = requests.get(f"{env('UHI_EUA_URL')}/dev/received", timeout=10,
                         params={"eua": eua, "transaction_id": transaction_id})
        assert r.status_code == 200
        if len(r.json()) >= at_least or time.time() > deadline:
            return r.json()
        time.sleep(0.1)


def delivered_once(eua, transaction_id, timeout=30):
    received(eua, transaction_id, timeout=timeout)
    time.sleep(1.0)  # time for a second callback, were there one
    return received(eua, transaction_id, at_least=2, timeout=0)


def search_for(app, tag):
    """A first search by `app` for the specialty of the doctor tagged `tag`."""
    return {"context": app.context(), "message": {"intent": {
        "fulfillment": {"type": "Physical"}, "category": {"descriptor": {"name": f"uhi {tag}"}}}}}


def send(api, action, body, header="Authorization", value=None, participant=None, raw=None):
    data = raw if raw is not None else json.dumps(body, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json"}
    if value is None and participant is not None:
        value = sign(participant.key, participant.keyid, data)
    if value is not None:
        headers[header] = value
    return api.s.post(f"{api.base}/uhi/{action}", data=data, headers=headers, timeout=30)


def assert_ack(r):
    assert r.status_code == 200, r.text
    assert r.json()["message"]["ack"]["status"] == "ACK"


def assert_nack(r, status, code, path=None):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["message"]["ack"]["status"] == "NACK"
    assert body["error"]["code"] == code, body
    assert body["error"]["message"], body
    if path is not None:
        assert body["error"]["path"] == path, body
    return body


def ist(ts):
    return dt.datetime.fromisoformat(ts).astimezone(IST).strftime("%Y-%m-%dT%H:%M:%S")


def on_search_schema():
    schema = json.loads((SCHEMAS / "gateway-on_search-schema.json").read_text())
    return jsonschema.Draft4Validator(schema)


@pytest.fixture
def doctor_on_uhi(api, verified_org):
    """A verified practitioner with a specialty of their own, an HPR address and free time."""
    tag = "u" + uuid.uuid4().hex[:7]
    hpr = f"asha.{tag}@hpr.abdm"
    digits = f"{uuid.uuid4().int % 10**14:014d}"
    doctor, prof = make_practitioner(api, verified_org, display_name=f"Dr. Asha {tag}",
                                     specialties=[f"uhi {tag}"], languages=["en", "hi"],
                                     fees={"first_visit": {"amount_minor": 65000, "currency": "INR"}},
                                     hpr_address=hpr, hpr_id=digits)
    publish(api, doctor, prof["id"], week_rules(verified_org["facility"]["id"]))
    # The search's free days follow published hours asynchronously (an event to the
    # organization service): wait until the platform's own search shows them.
    deadline = time.time() + 20
    while time.time() < deadline:
        found = api.get("/v1/practitioners", params={"specialty": f"uhi {tag}"}).json()["items"]
        if found and found[0].get("next_free_day"):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the practitioner's free days never reached search")
    return {"tag": tag, "hpr": hpr, "practitioner": prof, "doctor": doctor, **verified_org}


def test_the_platform_is_registered_on_the_network(api):
    me = api.get("/uhi/subscriber")
    assert me.status_code == 200, me.text
    me = me.json()
    assert me["type"] == "HSPA" and me["domain"] == DOMAIN and me["subscriber_url"].endswith("/uhi")
    listed = requests.get(f"{env('UHI_REGISTRY_URL')}/dev/subscribers", timeout=10).json()
    ours = [s for s in listed if s["subscriber_id"] == me["subscriber_id"]]
    assert [(s["pub_key_id"], s["signing_public_key"], s["subscriber_url"], s["type"]) for s in ours] == \
        [(me["pub_key_id"], me["signing_public_key"], me["subscriber_url"], "HSPA")]


def test_a_gateway_search_reaches_the_patient_app(api, doctor_on_uhi):
    """The journey's first step as a patient's app makes it: a search through the gateway,
    answered on_search (signed by us, forwarded by the gateway) with the doctor as UHI shows
    doctors, valid under the schema NHA's gateway enforces."""
    tag, prof = doctor_on_uhi["tag"], doctor_on_uhi["practitioner"]
    r = requests.post(f"{env('UHI_EUA_URL')}/dev/search", json={"specialty": f"uhi {tag}"}, timeout=30)
    assert r.status_code == 200, r.text
    started = r.json()
    assert started["gateway_answer"]["message"]["ack"]["status"] == "ACK"
    got = received("sim", started["transaction_id"])
    assert len(got) == 1, got
    cb = got[0]
    assert (cb["action"], cb["verified"], cb["via_gateway"], cb["error"]) == ("on_search", True, True, None)
    on_search = cb["body"]
    errors = sorted(e.message for e in on_search_schema().iter_errors(on_search))
    assert errors == [], errors
    ctx = on_search["context"]
    assert (ctx["transaction_id"], ctx["message_id"], ctx["action"]) == \
        (started["transaction_id"], started["message_id"], "on_search")
    me = api.get("/uhi/subscriber").json()
    assert (ctx["provider_id"], ctx["provider_uri"]) == (me["subscriber_id"], me["subscriber_url"])
    providers = on_search["message"]["catalog"]["providers"]
    assert [p["descriptor"]["name"] for p in providers] == ["Sunrise MG Road"]
    place = providers[0]
    assert place["locations"][0]["city"] == {"name": "Bengaluru", "code": "080"}
    [fulfillment] = place["fulfillments"]
    agent = fulfillment["agent"]
    assert (agent["id"], agent["name"], fulfillment["type"]) == (doctor_on_uhi["hpr"], f"Dr. Asha {tag}", "Physical")
    assert agent["tags"]["@abdm/gov.in/languages"] == "English, Hindi"
    assert agent["tags"]["@abdm/gov.in/speciality"].lower() == f"uhi {tag}"
    assert agent["tags"]["@abdm/gov.in/hpr_id"] == prof["hpr_id"]
    [item] = place["items"]
    assert item["price"] == {"currency": "INR", "value": "650.00"}
    assert item["fulfillment_id"] == fulfillment["id"]
    # The gateway checked our signature on the way (it refuses and records otherwise).
    seen = requests.get(f"{env('UHI_GATEWAY_URL')}/dev/received", timeout=10,
                        params={"transaction_id": started["transaction_id"]}).json()
    assert [(m["action"], m["verified"], m["from"]) for m in seen if m["action"] == "on_search"] == \
        [("on_search", True, me["subscriber_id"])]


def test_a_second_search_lists_the_doctors_free_slots(api, doctor_on_uhi):
    """Peer to peer, for one doctor named by HPR address, in a window: that doctor's free
    slots as the platform computes them, with ids that stay the same."""
    app = Participant()
    prof = doctor_on_uhi["practitioner"]
    start = dt.datetime.now(IST).replace(microsecond=0) + dt.timedelta(days=1)
    end = start + dt.timedelta(days=1)

    me = api.get("/uhi/subscriber").json()

    def ask():
        body = {"context": app.context(provider_id=me["subscriber_id"], provider_uri=me["subscriber_url"]),
                "message": {"intent": {"provider": {"fulfillments": [{
                    "type": "Physical", "agent": {"id": doctor_on_uhi["hpr"].upper()},
                    "start": {"time": {"timestamp": start.strftime("%Y-%m-%dT%H:%M:%S")}},
                    "end": {"time": {"timestamp": end.strftime("%Y-%m-%dT%H:%M:%S")}}}]}}}}
        assert_ack(send(api, "search", body, participant=app))
        [cb] = app.received(body["context"]["transaction_id"])
        assert (cb["action"], cb["verified"], cb["via_gateway"]) == ("on_search", True, False), cb
        assert cb["body"]["context"]["message_id"] == body["context"]["message_id"]
        return cb["body"]

    first = ask()
    assert "error" not in first, first.get("error")
    [place] = first["message"]["catalog"]["providers"]
    offered = [(f["start"]["time"]["timestamp"], f["end"]["time"]["timestamp"]) for f in place["fulfillments"]]
    platform = slots(api, prof["id"], **{"from": start.isoformat(), "to": end.isoformat()})
    assert offered == [(ist(s["start"]), ist(s["end"])) for s in platform]
    assert len(offered) >= 8  # 09:00–17:00 IST in 30-minute slots, a day ahead
    assert {f["agent"]["id"] for f in place["fulfillments"]} == {doctor_on_uhi["hpr"]}
    assert all(f["tags"]["@abdm/gov.in/slot_id"] == f["id"] for f in place["fulfillments"])
    again = ask()
    assert [f["id"] for f in again["message"]["catalog"]["providers"][0]["fulfillments"]] == \
        [f["id"] for f in place["fulfillments"]]


def test_answering_and_its_callback_are_traces_linked_to_the_request(api, doctor_on_uhi):
    """The message is acknowledged within its request; answering it (a worker, later) is a
    trace linked to that request, with the service's calls and transactions under it; each
    attempt to post the callback is a trace linked to the answering."""
    from test_tracing import spans_of, trace_of, traces_url
    app = Participant()
    body = search_for(app, doctor_on_uhi["tag"])
    r = send(api, "search", body, participant=app)
    assert_ack(r)
    app.received(body["context"]["transaction_id"])
    request = spans_of(trace_of(r), lambda ss: "uhi-service" in {s["service"] for s in ss if s["kind"] == "SERVER"})

    def linked_to(spans, name, timeout=20):
        ids = {s["span_id"] for s in spans}
        deadline = time.time() + timeout
        while time.time() < deadline:
            t = requests.get(f"{traces_url()}/api/traces/{spans[0]['trace_id']}", timeout=10).json()
            for other in t["linked"]:
                items = requests.get(f"{traces_url()}/api/traces/{other}", timeout=10).json()["items"]
                hits = [s for s in items if s["name"] == name and any(l["span_id"] in ids for l in s["links"])]
                if hits:
                    return hits[0], items
            time.sleep(0.3)
        raise AssertionError(f"no {name!r} span linked to trace {spans[0]['trace_id']}")

    answer, answering = linked_to(request, "process uhi search")
    assert (answer["service"], answer["kind"], answer["parent_span_id"]) == ("uhi-service", "CONSUMER", "")
    assert answer["attributes"]["uhi.action"] == "search" and answer["status"]["code"] == "UNSET"
    answering = spans_of(answer["trace_id"], lambda ss: "org-service" in {s["service"] for s in ss if s["kind"] == "SERVER"})
    assert any(s["kind"] == "CLIENT" and s["name"].startswith("healthtech.org.v1.")
               and s["parent_span_id"] == answer["span_id"] for s in answering), answering
    post, _ = linked_to(answering, "send on_search")
    assert (post["service"], post["kind"]) == ("uhi-service", "CLIENT")
    assert post["attributes"]["uhi.outcome"] == "delivered"
    assert post["attributes"]["http.response.status_code"] == 200
    assert post["status"]["code"] == "UNSET", post


def test_signatures_that_do_not_verify_are_refused_and_change_nothing(api, db):
    app = Participant()
    stranger = Ed25519PrivateKey.generate()

    def body():
        return {"context": app.context(), "message": {"intent": {
            "fulfillment": {"type": "Physical"}, "category": {"descriptor": {"name": "Cardiology"}}}}}

    def data(b):
        return json.dumps(b, separators=(",", ":")).encode()

    now = int(time.time())
    cases = []
    b = body()
    cases.append(("missing", b, send(api, "search", b), "UHI-1401"))
    b = body()
    cases.append(("malformed", b, send(api, "search", b, value='{"keyId": 42'), "UHI-1405"))
    b = body()
    cases.append(("another key", b, send(api, "search", b, value=sign(stranger, app.keyid, data(b))), "UHI-1405"))
    b = body()
    tampered = data(b)
    header = sign(app.key, app.keyid, tampered)
    b["context"]["city"] = "std:011"
    cases.append(("tampered body", b, send(api, "search", b, value=header), "UHI-1405"))
    b = body()
    cases.append(("expired", b, send(api, "search", b, value=sign(app.key, app.keyid, data(b), now - 30, now - 20)),
                  "UHI-1405"))
    b = body()
    cases.append(("from the future", b, send(api, "search", b, value=sign(app.key, app.keyid, data(b), now + 60)),
                  "UHI-1405"))
    b = body()
    cases.append(("unknown subscriber", b,
                  send(api, "search", b, value=sign(app.key, f"nobody-{uuid.uuid4().hex[:6]}.test|k1", data(b))),
                  "UHI-1406"))
    b = body()
    cases.append(("an app posing as the gateway", b,
                  send(api, "search", b, header="X-Gateway-Authorization", participant=app), "UHI-1406"))
    for name, b, r, code in cases:
        nack = assert_nack(r, 401, code)
        assert nack["error"]["message"], name
        challenge = r.headers.get("Proxy-Authenticate" if name.startswith("an app posing") else "WWW-Authenticate", "")
        assert challenge.startswith("Signature "), (name, dict(r.headers))
        mid = b["context"]["message_id"]
        assert db(f"SELECT count(*) FROM uhi.messages WHERE message_id = '{mid}'") == "0", name
    # The same message, signed properly, is taken.
    b = body()
    assert_ack(send(api, "search", b, participant=app))
    assert db(f"SELECT count(*) FROM uhi.messages WHERE message_id = '{b['context']['message_id']}'") == "1"


def test_messages_that_break_the_rules_are_refused(api):
    app = Participant()
    other = Participant()
    intent = {"intent": {"fulfillment": {"type": "Physical"}}}
    cases = [
        ({"context": app.context(core_version="0.9.1"), "message": intent}, "context.core_version"),
        ({"context": app.context(domain="nic2004:99999"), "message": intent}, "context.domain"),
        ({"context": app.context(action="init"), "message": intent}, "context.action"),
        ({"context": app.context(consumer_id=other.subscriber_id), "message": intent}, "context.consumer_id"),
        ({"context": app.context(consumer_uri=other.url), "message": intent}, "context.consumer_uri"),
        ({"context": app.context(), "message": {"intent": {"fulfillment": {"type": "Teleport"}}}},
         "fulfillment.type"),
    ]
    for body, path in cases:
        r = send(api, "search", body, participant=app)
        assert r.status_code == 400, (path, r.text)
        nack = r.json()
        assert nack["message"]["ack"]["status"] == "NACK" and nack["error"]["code"], nack
        assert path in nack["error"]["path"], (path, nack)
    r = send(api, "search", None, raw=b"not json", participant=app)
    assert_nack(r, 400, "UHI-1411")
    # Nested far deeper than any Beckn message (signed, so it reaches the parser).
    deep = {"context": app.context(), "message": {"intent": {"fulfillment": {"type": "Physical"}}}}
    deep_raw = json.dumps(deep)[:-1].encode() + b', "x": ' + b"[" * 200000 + b"]" * 200000 + b"}"
    assert_nack(send(api, "search", None, raw=deep_raw, participant=app), 400, "UHI-1411")
    assert api.get("/uhi/subscriber").status_code == 200  # and nothing fell over
    r = send(api, "select", {"context": app.context(action="select"), "message": {}}, participant=app)
    assert_nack(r, 400, "UHI-1404", "context.action")


def test_a_message_sent_twice_is_answered_once(api, doctor_on_uhi, db):
    app = Participant()
    body = search_for(app, doctor_on_uhi["tag"])
    data = json.dumps(body).encode()
    for _ in range(3):
        assert_ack(send(api, "search", None, raw=data, participant=app))
    got = app.received(body["context"]["transaction_id"])
    time.sleep(1.5)  # time for a second answer, were there one
    got = app.received(body["context"]["transaction_id"], at_least=2, timeout=0)
    assert len(got) == 1, got
    assert db(f"SELECT count(*) FROM uhi.messages WHERE message_id = '{body['context']['message_id']}'") == "1"
    tx = body["context"]["transaction_id"]
    assert db(f"SELECT count(*) || ' ' || min(state) FROM uhi.callbacks WHERE transaction_id = '{tx}'") == "1 delivered"
    # The same message re-serialised (keys in another order, other spacing) is the same message.
    again = json.dumps({"message": body["message"], "context": body["context"]}, indent=1).encode()
    assert_ack(send(api, "search", None, raw=again, participant=app))
    assert db(f"SELECT count(*) FROM uhi.messages WHERE message_id = '{body['context']['message_id']}'") == "1"
    # Another message under the same id is refused.
    body["message"]["intent"]["fulfillment"]["type"] = "Online"
    assert_nack(send(api, "search", body, participant=app), 400, "UHI-1404", "context.message_id")


def test_a_callback_waits_for_a_consumer_that_is_down(api, doctor_on_uhi, db):
    """The patient's app is down when the answer is ready: the callback is kept and retried
    with backoff, and delivered exactly once when the app is back."""
    app = Participant()
    body = search_for(app, doctor_on_uhi["tag"])
    down = f"{env('UHI_EUA_URL')}/dev/down"
    assert requests.post(down, json={"down": True}, timeout=10).status_code == 200
    try:
        assert_ack(send(api, "search", body, participant=app))
        tx = body["context"]["transaction_id"]
        deadline = time.time() + 20
        attempts = 0
        while attempts < 2 and time.time() < deadline:
            attempts = int(db(f"SELECT coalesce(max(attempts), 0) FROM uhi.callbacks WHERE transaction_id = '{tx}'"))
            time.sleep(0.1)
        assert attempts >= 2, "the callback was not retried"
        assert db(f"SELECT state || ' ' || last_status FROM uhi.callbacks WHERE transaction_id = '{tx}'") == "pending 503"
        assert app.received(tx, timeout=0) == []
        # The queue's depth shows on the admin port (refreshed every 5 s).
        port = dict(p.split("=") for p in env("SERVICE_ADMIN_PORTS").strip(",").split(","))["uhi"]
        deadline = time.time() + 12
        depth = 0.0
        while depth < 1 and time.time() < deadline:
            text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
            depth = float(next(line.split()[1] for line in text.splitlines()
                               if line.startswith("uhi_callbacks_pending ")))
            time.sleep(0.5)
        assert depth >= 1, "uhi_callbacks_pending did not show the waiting callback"
    finally:
        requests.post(down, json={"down": False}, timeout=10)
    got = app.delivered_once(tx)
    assert [(m["action"], m["verified"]) for m in got] == [("on_search", True)]
    assert db(f"SELECT state FROM uhi.callbacks WHERE transaction_id = '{tx}'") == "delivered"


def test_a_queued_callback_survives_a_crash_of_the_service(api, doctor_on_uhi, db):
    """Acknowledged means kept: uhi-service is killed (-9) while a callback waits for a
    patient's app that is down; restarted by its supervisor, it delivers it once."""
    import signal
    app = Participant()
    body = search_for(app, doctor_on_uhi["tag"])
    tx = body["context"]["transaction_id"]
    down = f"{env('UHI_EUA_URL')}/dev/down"
    pid_file = os.path.join(env("HEALTHTECH_DATA"), "run", "uhi.pid")
    assert requests.post(down, json={"down": True}, timeout=10).status_code == 200
    try:
        assert_ack(send(api, "search", body, participant=app))
        deadline = time.time() + 20
        while time.time() < deadline and db(
                f"SELECT coalesce(max(attempts), 0) FROM uhi.callbacks WHERE transaction_id = '{tx}'") == "0":
            time.sleep(0.05)
        old = int(open(pid_file).read())
        os.kill(old, signal.SIGKILL)
        deadline = time.time() + 20
        new = old
        while new == old and time.time() < deadline:
            time.sleep(0.1)
            try:
                new = int(open(pid_file).read())
            except (OSError, ValueError):
                pass
        assert new != old, "uhi-service was not restarted by its supervisor"
    finally:
        requests.post(down, json={"down": False}, timeout=10)
    # A lease taken just before the kill lapses within UHI_CALLBACK_TIMEOUT_MS + 30 s.
    got = app.delivered_once(tx, timeout=60)
    assert [(m["action"], m["verified"]) for m in got] == [("on_search", True)]
    assert db(f"SELECT state FROM uhi.callbacks WHERE transaction_id = '{tx}'") == "delivered"
    assert requests.get(f"{api.base}/uhi/subscriber", timeout=10).status_code == 200


def test_a_registry_that_writes_nulls_or_is_down(api, doctor_on_uhi):
    """NHA's registry (Java) writes absent fields as null and keeps the key in
    encr_public_key: such a participant is served. A registry that cannot be reached makes a
    503 NACK (send again), never a 500."""
    legacy = Participant(legacy=True)
    body = search_for(legacy, doctor_on_uhi["tag"])
    assert_ack(send(api, "search", body, participant=legacy))
    [cb] = legacy.received(body["context"]["transaction_id"])
    assert (cb["action"], cb["verified"]) == ("on_search", True)

    fresh = Participant()  # not in the service's cache
    down = f"{env('UHI_REGISTRY_URL')}/dev/down"
    assert requests.post(down, json={"down": True}, timeout=10).status_code == 200
    try:
        r = send(api, "search", {"context": fresh.context(), "message": body["message"]}, participant=fresh)
    finally:
        requests.post(down, json={"down": False}, timeout=10)
    assert_nack(r, 503, "UHI-1402")
    r = send(api, "search", {"context": fresh.context(), "message": body["message"]}, participant=fresh)
    assert_ack(r)


def test_a_gateway_signing_in_proxy_authorization(api, doctor_on_uhi):
    """BECKN-006 names the gateway's header Proxy-Authorization: taken like
    X-Gateway-Authorization."""
    header = f"{env('UHI_GATEWAY_URL')}/dev/header"
    assert requests.post(header, json={"name": "Proxy-Authorization"}, timeout=10).status_code == 200
    try:
        r = requests.post(f"{env('UHI_EUA_URL')}/dev/search",
                          json={"specialty": f"uhi {doctor_on_uhi['tag']}"}, timeout=30)
    finally:
        requests.post(header, json={}, timeout=10)
    got = received("sim", r.json()["transaction_id"])
    assert [(m["action"], m["verified"]) for m in got] == [("on_search", True)], got


def test_the_network_gets_a_nack_while_the_service_is_down(api):
    """uhi-service stopped: the BFF answers the network's NACK (503, send again), not a
    platform problem document; started again, messages are taken."""
    import signal
    from conftest import restart_supervised
    app = Participant()
    body = {"context": app.context(), "message": {"intent": {"fulfillment": {"type": "Physical"}}}}
    pid_file = os.path.join(env("HEALTHTECH_DATA"), "run", "uhi.pid")
    old = int(open(pid_file).read())
    os.kill(old, signal.SIGTERM)  # a clean stop: the supervisor leaves it stopped
    deadline = time.time() + 15
    while time.time() < deadline and os.path.exists(f"/proc/{old}") and \
            "zombie" not in open(f"/proc/{old}/status").read().lower():
        time.sleep(0.05)
    try:
        r = send(api, "search", body, participant=app)
        assert_nack(r, 503, "UHI-1407")
        assert r.headers["Content-Type"].startswith("application/json")
    finally:
        environ = dict(os.environ)
        for line in env("UHI_ENV").splitlines():
            k, _, v = line.partition("=")
            environ[k] = v
        restart_supervised("uhi", [env("UHI_BIN")], environ)
    deadline = time.time() + 20
    while time.time() < deadline:
        r = send(api, "search", {"context": app.context(), "message": body["message"]}, participant=app)
        if r.status_code == 200:
            break
        time.sleep(0.2)
    assert_ack(r)
