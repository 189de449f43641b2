"""Distributed traces: every service exports OpenTelemetry spans over OTLP/HTTP (protobuf) to
the stack's trace receiver (tools/traces), which decodes them with OpenTelemetry's published
protobuf definitions. A request through the BFF is one trace: the BFF's server span, its
call's client span, the service's server span under it, the service's database work and its
calls to other services, each under the span that caused it; log lines carry the same ids.
A caller's traceparent is linked, not continued (a client on the Internet does not choose our
trace ids or sampling); the response's traceresponse header names the trace."""
import json
import os
import re
import time
import uuid

import pytest
import requests

from test_admin_port import admin_ports
from test_appointments import clinic, new_patient, slots  # noqa: F401
from test_payments import paid_clinic, pending  # noqa: F401

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def traces_url():
    url = os.environ.get("TRACES_URL")
    if not url:
        pytest.fail("TRACES_URL is not set: ./healthtech test runs a trace receiver")
    return url


def new_traceparent(sampled=True):
    return f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-{'01' if sampled else '00'}"


def spans_of(trace_id, until=lambda spans: True, timeout=15):
    """The trace's spans once `until(spans)` holds. Spans arrive in batches, per process, in
    the order they ended: a parent ends after its children, so waiting for a process's
    outermost span (its SERVER span) means all of that process's spans are in."""
    deadline = time.time() + timeout
    spans = []
    while time.time() < deadline:
        r = requests.get(f"{traces_url()}/api/traces/{trace_id}", timeout=10)
        if r.status_code == 200:
            spans = r.json()["items"]
            if until(spans):
                return spans
        time.sleep(0.2)
    pytest.fail(f"trace {trace_id} never had what was expected; it has: "
                + json.dumps([(s["service"], s["name"]) for s in spans]))


def trace_of(response):
    """The trace a response says its request became (W3C traceresponse)."""
    tr = response.headers.get("traceresponse", "")
    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]", tr), response.headers
    return tr[3:35]


def book(api, patient, clinic, index, traceparent=None):  # noqa: F811
    """Books the clinic's index-th free slot for `patient`, sending `traceparent` if given."""
    slot = slots(api, clinic["practitioner"]["id"])[index]
    body = {"practitioner_id": clinic["practitioner"]["id"], "facility_id": slot["facility_id"],
            "start": slot["start"], "mode": slot["mode"], "reason": "Follow-up on blood pressure"}
    headers = {"Idempotency-Key": str(uuid.uuid4()), **({"traceparent": traceparent} if traceparent else {})}
    r = api.post("/v1/appointments", body, token=patient.access, headers=headers)
    assert r.status_code == 201, r.text
    return r.json(), trace_of(r)


def one(spans, **match):
    found = [s for s in spans if all(s[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, [(s["service"], s["name"], s["kind"]) for s in spans])
    return found[0]


def children(spans, parent):
    return [s for s in spans if s["parent_span_id"] == parent["span_id"]]


def test_a_booking_is_one_trace_from_the_bff_to_the_database(api, clinic):  # noqa: F811
    patient = new_patient(api)
    tp = new_traceparent()
    _, trace_id = book(api, patient, clinic, 3, tp)
    assert trace_id != tp[3:35]  # the caller's trace is linked, not taken over

    spans = spans_of(trace_id, lambda ss: {"bff-service", "appointment-service"}
                     <= {s["service"] for s in ss if s["kind"] == "SERVER"})
    assert {s["trace_id"] for s in spans} == {trace_id}

    # The BFF's server span is the trace's root, linked to the caller's span.
    server = one(spans, service="bff-service", kind="SERVER")
    assert server["parent_span_id"] == ""
    assert server["links"] == [{"trace_id": tp[3:35], "span_id": tp[36:52]}]
    assert server["name"] == "POST /v1/appointments"
    assert server["attributes"]["http.route"] == "/v1/appointments"
    assert server["attributes"]["http.response.status_code"] == 201
    assert server["status"]["code"] == "UNSET"

    # Its call to the appointment service, and the service's server span under that call.
    [call] = [s for s in children(spans, server) if s["kind"] == "CLIENT"]
    assert call["name"] == "healthtech.appointment.v1.AppointmentService/CreateAppointment"
    assert call["attributes"]["rpc.system"] == "grpc"
    assert call["attributes"]["rpc.grpc.status_code"] == 0
    [handler] = children(spans, call)
    assert (handler["service"], handler["kind"], handler["name"]) == (
        "appointment-service", "SERVER", call["name"])
    assert handler["attributes"]["rpc.method"] == "CreateAppointment"

    # The service's own work under its server span: the booking's transaction, in it each
    # statement (named after the prepared statement, never its values) and the event it
    # wrote in the same transaction (see the next test).
    txns = [s for s in children(spans, handler) if s["name"] == "pg transaction"]
    assert txns and all(t["attributes"]["db.system"] == "postgresql" for t in txns)
    inside = [s for t in txns for s in children(spans, t)]
    assert "create appointment.booked" in {s["name"] for s in inside}
    [insert] = [s for s in inside if s["name"] == "booking/insert"]
    assert insert["kind"] == "CLIENT" and insert["status"]["code"] == "UNSET"
    assert insert["attributes"] == {"db.system": "postgresql", "db.statement.name": "booking/insert"}
    # Nested in time: no child starts before its parent or ends after it.
    by_id = {s["span_id"]: s for s in spans}
    for s in spans:
        parent = by_id.get(s["parent_span_id"])
        if parent is not None and parent["service"] == s["service"]:
            assert int(parent["start_ns"]) <= int(s["start_ns"]) and int(s["end_ns"]) <= int(parent["end_ns"]), s


def test_the_events_a_booking_emits_link_their_publication_and_consumers_to_it(api, clinic):  # noqa: F811
    """Outbox write -> relay -> stream -> consumer: the booking's trace holds the event's
    creation (a producer span in the appointment service's transaction); the relay's
    publication and the notification service's processing are traces of their own, linked to
    that creation, and the consumer's work is under its processing span."""
    patient = new_patient(api)
    _, trace_id = book(api, patient, clinic, 5)
    spans = spans_of(trace_id, lambda ss: "appointment-service"
                     in {s["service"] for s in ss if s["kind"] == "SERVER"})
    handler = one(spans, service="appointment-service", kind="SERVER")
    created = one(spans, kind="PRODUCER")
    # Written in the booking's transaction: under its span, itself under the server span.
    txn = next(s for s in spans if s["span_id"] == created["parent_span_id"])
    assert created["name"] == "create appointment.booked"
    assert (txn["name"], txn["parent_span_id"]) == ("pg transaction", handler["span_id"])
    assert created["attributes"]["messaging.destination.name"] == "healthtech:events:appointment"

    def linked_spans():
        t = requests.get(f"{traces_url()}/api/traces/{trace_id}", timeout=10).json()
        out = []
        for other in t["linked"]:
            out += requests.get(f"{traces_url()}/api/traces/{other}", timeout=10).json()["items"]
        return out
    deadline = time.time() + 20
    found = []
    while time.time() < deadline:
        found = linked_spans()
        consumers = {s["service"] for s in found if s["kind"] == "CONSUMER"}
        if any(s["kind"] == "PRODUCER" for s in found) and "notification-service" in consumers:
            break
        time.sleep(0.3)
    links_to_creation = [s for s in found if {"trace_id": created["trace_id"], "span_id": created["span_id"]} in s["links"]]
    publish = [s for s in links_to_creation if s["kind"] == "PRODUCER"]
    assert publish and {(s["service"], s["name"]) for s in publish} == {
        ("appointment-service", "publish healthtech:events:appointment")}, found
    # (A redelivered event would be processed, and linked, again: take the first.)
    processes = [s for s in links_to_creation if s["kind"] == "CONSUMER"]
    assert processes, found
    process = processes[0]
    assert (process["service"], process["name"]) == ("notification-service", "process healthtech:events:appointment")
    assert process["attributes"]["messaging.consumer.group.name"] == "notification-service"
    assert process["trace_id"] != created["trace_id"] and process["parent_span_id"] == ""
    # The consumer's work is under its processing span: its database transaction, and its
    # call to the identity service (the patient's contact details) answered in that trace.
    work = spans_of(process["trace_id"], lambda ss: "iam-service" in {s["service"] for s in ss if s["kind"] == "SERVER"})
    below = children(work, process)
    assert any(s["name"] == "pg transaction" for s in below), work
    lookups = [s for s in below if s["kind"] == "CLIENT" and s["name"].startswith("healthtech.iam.v1.")]
    assert lookups, work
    assert [(s["service"], s["kind"]) for s in children(work, lookups[0])] == [("iam-service", "SERVER")]
    # The email it queued is sent later, by the delivery worker: a span of its own, linked
    # to the processing that queued it, with the attempt's bookkeeping under it.
    ids = {s["span_id"] for s in work}
    deadline = time.time() + 20
    sends = []
    while time.time() < deadline and not sends:
        linked = requests.get(f"{traces_url()}/api/traces/{process['trace_id']}", timeout=10).json()["linked"]
        for other in linked:
            sends += [s for s in requests.get(f"{traces_url()}/api/traces/{other}", timeout=10).json()["items"]
                      if s["name"] == "send email" and any(l["span_id"] in ids for l in s["links"])]
        time.sleep(0.3)
    assert sends, "no 'send email' span linked to the consumer's trace"
    send = sends[0]
    assert (send["service"], send["kind"], send["parent_span_id"]) == ("notification-service", "CLIENT", "")
    assert send["attributes"]["notification.channel"] == "email"
    assert send["attributes"]["notification.provider"]
    assert send["status"]["code"] == "UNSET", send
    after = spans_of(send["trace_id"], lambda ss: any(x["name"] == "pg transaction" for x in ss))
    assert any(x["name"] == "pg transaction" and x["parent_span_id"] == send["span_id"] for x in after), after


def test_a_service_calling_another_continues_the_trace(api, clinic):  # noqa: F811
    """The clinic opens a booking: the appointment service reads it, then asks the identity
    service for the patient's name. That call is a client span under the appointment
    service's server span, and IAM's server span is under the call."""
    patient = api.register(name="Meera Iyer")
    api.login(patient)
    booked, _ = book(api, patient, clinic, 4)
    r = api.get(f"/v1/appointments/{booked['id']}", token=clinic["doctor"].access)
    assert r.status_code == 200, r.text
    assert r.json()["patient"]["full_name"] == "Meera Iyer"
    spans = spans_of(trace_of(r), lambda ss: {"bff-service", "appointment-service", "iam-service"}
                     <= {s["service"] for s in ss if s["kind"] == "SERVER"})
    handler = one(spans, service="appointment-service", kind="SERVER")
    assert handler["name"] == "healthtech.appointment.v1.AppointmentService/GetAppointment"
    below = children(spans, handler)
    assert [s["name"] for s in below if s["name"].startswith("pg ")] == ["pg transaction"]
    [lookup] = [s for s in below if s["kind"] == "CLIENT" and s["attributes"].get("rpc.system") == "grpc"]
    assert lookup["name"].startswith("healthtech.iam.v1.IamService/")
    assert lookup["attributes"]["rpc.grpc.status_code"] == 0
    [answer] = children(spans, lookup)
    assert (answer["service"], answer["kind"], answer["name"]) == ("iam-service", "SERVER", lookup["name"])


def test_redis_commands_and_the_payment_gateway_are_client_spans_without_values(api, user, paid_clinic):  # noqa: F811
    """IAM's sign-in throttle (Redis) and the payment service's order at the gateway appear
    as client spans under the service's server span: the command or method, never a key, an
    e-mail address or an amount."""
    r = api.post("/v1/auth/login", {"email": user.email, "password": "not the password!!"})
    assert r.status_code == 401, r.text
    spans = spans_of(trace_of(r), lambda ss: {"bff-service", "iam-service"}
                     <= {s["service"] for s in ss if s["kind"] == "SERVER"})
    login = one(spans, service="iam-service", kind="SERVER")
    redis_spans = [s for s in children(spans, login) if s["name"].startswith("redis ")]
    assert redis_spans and all(s["kind"] == "CLIENT" and s["attributes"]["db.system"] == "redis" for s in redis_spans)
    assert {"redis INCR", "redis GET"} <= {s["name"] for s in redis_spans}, [s["name"] for s in redis_spans]
    assert user.email not in json.dumps(spans)

    patient, appointment = pending(api, paid_clinic)
    r = api.post("/v1/payments", {"appointment_id": appointment["id"]}, token=patient.access,
                 headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code in (200, 201), r.text
    spans = spans_of(trace_of(r), lambda ss: "payment-service"
                     in {s["service"] for s in ss if s["kind"] == "SERVER"})
    handler = one(spans, service="payment-service", kind="SERVER")
    gateway = one(spans, name="POST payment gateway")
    assert (gateway["kind"], gateway["parent_span_id"]) == ("CLIENT", handler["span_id"])
    assert gateway["attributes"]["url.path"] == "/v1/orders"
    assert gateway["attributes"]["http.response.status_code"] in (200, 201)
    assert "75000" not in json.dumps(gateway)


def test_the_log_line_of_a_request_names_its_trace_and_span(api, user):
    """A refresh token presented twice is a security event IAM logs as a warning: the line
    carries the request's trace id (the one traceresponse names) and the span id of IAM's
    span in that trace where it was written."""
    first = user.refresh
    r = api.post("/v1/auth/refresh", {"refresh_token": first})
    assert r.status_code == 200, r.text
    r = api.post("/v1/auth/refresh", {"refresh_token": first})
    assert r.status_code == 401, r.text
    trace_id = trace_of(r)
    spans = spans_of(trace_id, lambda ss: "iam-service" in {s["service"] for s in ss if s["kind"] == "SERVER"})
    iam = one(spans, service="iam-service", kind="SERVER")
    assert iam["name"] == "healthtech.iam.v1.IamService/Refresh"
    log = os.path.join(os.environ["HEALTHTECH_DATA"], "logs", "iam.log")
    deadline = time.time() + 5
    lines = []
    while time.time() < deadline and not lines:
        with open(log, encoding="utf-8", errors="replace") as f:
            lines = [json.loads(l) for l in f if trace_id in l and l.startswith("{")]
        time.sleep(0.1)
    reuse = [l for l in lines if l["msg"] == "refresh_token_reuse"]
    assert len(reuse) == 1, lines
    assert reuse[0]["trace_id"] == trace_id
    # The span current when it was written: IAM's server span or, found in a transaction,
    # that transaction's span under it.
    logged = next(s for s in spans if s["span_id"] == reuse[0]["span_id"])
    assert logged["span_id"] == iam["span_id"] or (
        logged["name"] == "pg transaction" and logged["parent_span_id"] == iam["span_id"]), logged
    assert reuse[0]["request_id"] == r.headers["X-Request-Id"]


def test_a_callers_traceparent_is_linked_never_continued(api):
    """A client chooses neither our trace id nor our sampling: a sampled, an unsampled and a
    malformed traceparent each get a trace of the API's own (traceresponse), linked to the
    caller's span when it was valid; nothing is recorded under the caller's trace id."""
    answers = {}
    for name, tp in (("sampled", new_traceparent()), ("unsampled", new_traceparent(sampled=False)),
                     ("malformed", "00-" + "A" * 32 + "-" + "b" * 16 + "-01")):  # upper case
        r = api.get("/v1/practitioners", params={"limit": 1}, headers={"traceparent": tp})
        assert r.status_code == 200, r.text
        answers[name] = (tp, trace_of(r))
    for name, (tp, trace_id) in answers.items():
        assert trace_id != tp[3:35].lower()
        spans = spans_of(trace_id, lambda ss: {"bff-service", "org-service"}
                         <= {s["service"] for s in ss if s["kind"] == "SERVER"})
        server = one(spans, service="bff-service", kind="SERVER")
        assert server["parent_span_id"] == ""
        expected = [] if name == "malformed" else [{"trace_id": tp[3:35], "span_id": tp[36:52]}]
        assert server["links"] == expected, (name, server["links"])
        assert requests.get(f"{traces_url()}/api/traces/{tp[3:35]}", timeout=10).status_code == 404


def test_a_client_error_fails_the_call_span_but_not_the_servers(api):
    """OpenTelemetry's rule for gRPC: a call that did not do what was asked is a failed client
    span; the server failed only on codes that are its fault (INTERNAL, UNAVAILABLE, ...),
    not on NOT_FOUND. Operators filter on failed server spans."""
    # An unknown practitioner id is a client error (404), which is not a failed span...
    r = api.get(f"/v1/practitioners/{uuid.uuid4()}")
    assert r.status_code == 404, r.text
    spans = spans_of(trace_of(r), lambda ss: {"bff-service", "org-service"}
                     <= {s["service"] for s in ss if s["kind"] == "SERVER"})
    server = one(spans, service="bff-service", kind="SERVER")
    assert server["attributes"]["http.response.status_code"] == 404
    assert server["status"]["code"] == "UNSET"
    org = one(spans, service="org-service", kind="SERVER")
    assert org["attributes"]["rpc.grpc.status_code"] == 5  # NOT_FOUND
    assert org["status"]["code"] == "UNSET"
    # ...while the BFF's own client span records that the call did not do what was asked.
    call = one(spans, service="bff-service", kind="CLIENT")
    assert call["status"]["code"] == "ERROR"


def test_every_service_counts_the_spans_it_exported_and_drops_none(api, clinic):  # noqa: F811
    def counters():
        out = {}
        for service, port in admin_ports():
            text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
            exported = re.search(r"^otel_spans_exported_total (\S+)$", text, re.M)
            assert exported, (service, "otel_spans_exported_total is not exposed")
            dropped = [re.search(rf'^otel_spans_dropped_total{{reason="{reason}"}} (\S+)$', text, re.M)
                       for reason in ("queue_full", "export_failed")]
            assert all(dropped), (service, "otel_spans_dropped_total is not exposed")
            out[service] = (float(exported.group(1)), sum(float(d.group(1)) for d in dropped))
        return out
    before = counters()
    for _ in range(5):
        assert api.get(f"/v1/practitioners/{clinic['practitioner']['id']}/slots").status_code == 200
        assert api.get("/v1/me", token=clinic["doctor"].access).status_code == 200
    deadline = time.time() + 10
    while True:
        after = counters()
        grown = {s for s in ("bff", "iam", "org", "appointment") if after[s][0] > before[s][0]}
        if len(grown) == 4 or time.time() > deadline:
            break
        time.sleep(0.3)
    assert grown == {"bff", "iam", "org", "appointment"}, (before, after)
    assert {s: after[s][1] - before[s][1] for s in after} == {s: 0 for s in after}, (before, after)
