"""The OpenAPI document says what the server does (issue 13).

Every response of every REST test is already held to /v1/openapi.json (contract.py). These
tests walk the document itself: for every operation with a JSON body, a body without each
required field in turn must get a 400 naming that field, and a body with each closed-set
field set to a value outside the set must get a 400 naming it. The bodies are built from the
document alone (examples, formats, patterns, enums), so a document that asks for something
the server refuses fails here too.
"""
import copy
import json
import re
import uuid

import pytest
import requests

from conftest import assert_problem

HTTP_METHODS = ("get", "post", "put", "patch", "delete")

# Values for the string patterns the document uses (a new pattern fails the walk loudly).
PATTERN_VALUES = {
    r"^\+[1-9][0-9]{7,14}$": "+919876543210",
    r"^[a-z]{2}$": "en",
    r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$": "09:30",
    r"^[A-Z]{3}$": "INR",
}
FORMAT_VALUES = {
    "uuid": lambda: str(uuid.uuid4()),
    "date": lambda: "2031-03-14",
    "date-time": lambda: "2031-03-14T04:30:00Z",
    "email": lambda: f"walker-{uuid.uuid4().hex[:8]}@example.com",
    "uri": lambda: "https://example.com/callback",
}


@pytest.fixture(scope="module")
def spec(base_url):
    return requests.get(base_url + "/v1/openapi.json", timeout=30).json()


def resolve(spec, schema):
    while "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def value_for(spec, schema, where):
    """A valid value for `schema`: the document's example, else one built from its type."""
    schema = resolve(spec, schema)
    if schema.get("examples"):
        return copy.deepcopy(schema["examples"][0])
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: value_for(spec, schema["properties"][name], f"{where}.{name}")
                for name in schema.get("required", [])}
    if kind == "array":
        return [value_for(spec, schema["items"], where + "[]") for _ in range(schema.get("minItems", 0))]
    if kind == "boolean":
        return True
    if kind == "integer" or kind == "number":
        low = schema.get("minimum", 1)
        return max(low, 1) if schema.get("maximum", 1) >= 1 else low
    if kind == "string":
        if schema.get("contentEncoding") == "base64":
            return "JVBERi0xLjQK"  # "%PDF-1.4\n"
        if "pattern" in schema:
            assert schema["pattern"] in PATTERN_VALUES, f"{where}: no test value for pattern {schema['pattern']}"
            return PATTERN_VALUES[schema["pattern"]]
        if schema.get("format") in FORMAT_VALUES:
            return FORMAT_VALUES[schema["format"]]()
        return "x" * max(schema.get("minLength", 1), 3)
    raise AssertionError(f"{where}: cannot build a value for {schema}")


def json_operations(spec):
    """(method, template, operation, body schema) for every operation taking a JSON body."""
    out = []
    for template, item in spec["paths"].items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if not op or "requestBody" not in op:
                continue
            media = op["requestBody"]["content"].get("application/json")
            if media:
                out.append((method, template, op, resolve(spec, media["schema"])))
    return out


def required_paths(spec, schema, prefix=""):
    """Every required field as a dotted path, nested required objects included."""
    out = []
    for name in schema.get("required", []):
        path = prefix + name
        out.append(path)
        sub = resolve(spec, schema["properties"][name])
        if sub.get("type") == "object":
            out += required_paths(spec, sub, path + ".")
    return out


def enum_paths(spec, schema, body, prefix=""):
    """Every closed-set field the built body carries or could carry (top level and nested
    objects the body holds), as dotted paths."""
    out = []
    for name, prop in schema.get("properties", {}).items():
        sub = resolve(spec, prop)
        path = prefix + name
        if "enum" in sub and sub.get("type") == "string":
            out.append(path)
        elif sub.get("type") == "object" and isinstance(body.get(name), dict):
            out += enum_paths(spec, sub, body[name], path + ".")
    return out


def without(body, path):
    body = copy.deepcopy(body)
    *parents, leaf = path.split(".")
    node = body
    for p in parents:
        node = node[p]
    del node[leaf]
    return body


def with_value(body, path, value):
    body = copy.deepcopy(body)
    *parents, leaf = path.split(".")
    node = body
    for p in parents:
        node = node.setdefault(p, {})
    node[leaf] = value
    return body


def url_for(template, op):
    url = template
    for p in op.get("parameters", []):
        if p.get("in") == "path":
            url = url.replace("{" + p["name"] + "}", str(uuid.uuid4()))
    assert "{" not in url, url
    return url


def send(api, user, method, url, body):
    # Every request carries a key and a token: the walk is about the body alone.
    return api.call(method.upper(), url, body, token=user.access, headers={"Idempotency-Key": str(uuid.uuid4())})


def fields_named(r):
    return sorted({e["field"] for e in r.json().get("errors", [])})


def test_the_document_requires_what_the_server_requires(spec):
    """Before the issue, only Problem had a `required` list; now every body that cannot be
    acted on without a field says so."""
    ops = json_operations(spec)
    with_required = [(m, t) for m, t, _, s in ops if s.get("required")]
    assert len(ops) >= 50 and len(with_required) >= 35, (len(ops), len(with_required))
    # The state-changing booleans and values of item 2 are required, never a silent default.
    for template, method, field in [
        ("/v1/forum/threads/{thread_id}/pin", "post", "pinned"),
        ("/v1/forum/threads/{thread_id}/lock", "post", "locked"),
        ("/v1/forum/users/{user_id}/suspension", "post", "duration_seconds"),
        ("/v1/forum/posts/{post_id}/vote", "put", "value"),
    ]:
        schema = resolve(spec, spec["paths"][template][method]["requestBody"]["content"]["application/json"]["schema"])
        assert field in schema.get("required", []), (template, schema.get("required"))


def test_a_body_without_each_required_field_is_refused_naming_it(api, user, spec):
    checked, failures = 0, []
    for method, template, op, schema in json_operations(spec):
        full = value_for(spec, schema, template)
        for path in required_paths(spec, schema):
            url = url_for(template, op)
            r = send(api, user, method, url, without(full, path))
            checked += 1
            if r.status_code != 400 or r.json().get("code") != "VALIDATION_FAILED" or fields_named(r) != [path]:
                failures.append(f"{method.upper()} {template} without {path}: {r.status_code} {r.text[:300]}")
    assert not failures, "\n".join(failures)
    assert checked >= 60, checked


def test_a_value_outside_each_closed_set_is_refused_naming_it(api, user, spec):
    checked, failures = 0, []
    for method, template, op, schema in json_operations(spec):
        full = value_for(spec, schema, template)
        for path in enum_paths(spec, schema, full):
            r = send(api, user, method, url_for(template, op), with_value(full, path, "no-such-value"))
            checked += 1
            if r.status_code != 400 or r.json().get("code") != "VALIDATION_FAILED" or fields_named(r) != [path]:
                failures.append(f"{method.upper()} {template} {path}=no-such-value: {r.status_code} {r.text[:300]}")
    assert not failures, "\n".join(failures)
    assert checked >= 10, checked


def test_closed_set_query_parameters_are_refused_outside_the_set(api, user, spec):
    checked, failures = 0, []
    for template, item in spec["paths"].items():
        op = item.get("get")
        if not op:
            continue
        for p in op.get("parameters", []):
            if "$ref" in p or p.get("in") != "query":
                continue
            schema = resolve(spec, p.get("schema", {}))
            if "enum" not in schema:
                continue
            r = api.get(url_for(template, op), params={p["name"]: "no-such-value"}, token=user.access)
            checked += 1
            if r.status_code != 400 or fields_named(r) != [p["name"]]:
                failures.append(f"GET {template}?{p['name']}=no-such-value: {r.status_code} {r.text[:200]}")
    assert not failures, "\n".join(failures)
    assert checked >= 5, checked


def test_every_list_pages_and_refuses_a_limit_out_of_range(api, user, spec):
    """Item 8: every list pages the same way (limit, page_token, next_page_token), and a
    `limit` out of range is a 400, not a silent clamp."""
    lists = []
    for template, item in spec["paths"].items():
        op = item.get("get")
        if not op or template.startswith("/v1/dev/"):  # the development mail sink is not an API
            continue
        media = op["responses"]["200"].get("content", {}).get("application/json")
        if not media:
            continue  # a file (a document's content)
        ok = resolve(spec, media["schema"])
        names = {p.get("name") for p in op.get("parameters", []) if "$ref" not in p}
        if "items" in ok.get("properties", {}):
            assert {"limit", "page_token"} <= names and "next_page_token" in ok["properties"], template
            lists.append((template, op))
    assert len(lists) >= 18, [t for t, _ in lists]
    for template, op in lists:
        # What else the list needs (a search needs q), built from the document.
        needed = {p["name"]: value_for(spec, p["schema"], p["name"]) for p in op["parameters"]
                  if "$ref" not in p and p["in"] == "query" and p.get("required")}
        limit = next(p for p in op["parameters"] if p.get("name") == "limit")
        high = resolve(spec, limit["schema"])["maximum"]
        for bad in (0, high + 1, -1, "ten"):
            r = api.get(url_for(template, op), params={**needed, "limit": bad}, token=user.access)
            assert r.status_code == 400 and fields_named(r) == ["limit"], (template, bad, r.text)
        r = api.get(url_for(template, op), params={**needed, "page_token": "not-a-token"}, token=user.access)
        # A caller who may not read the list learns nothing more from a bad token.
        assert r.status_code in (400, 403, 404), (template, r.text)
        if r.status_code == 400:
            assert r.json()["code"] == "INVALID_PAGE_TOKEN", (template, r.text)


def test_every_code_has_one_status(spec):
    """Item 11: a code means one thing, so it is documented under exactly one status."""
    statuses = {}
    for template, item in spec["paths"].items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if not op:
                continue
            for status, response in op["responses"].items():
                if "$ref" in response:
                    response = spec["components"]["responses"][response["$ref"].split("/")[-1]]
                for media in response.get("content", {}).values():
                    codes = media.get("schema", {}).get("properties", {}).get("code", {}).get("enum", [])
                    for code in codes:
                        statuses.setdefault(code, set()).add(status)
    several = {c: s for c, s in statuses.items() if len(s) > 1}
    assert not several, several
    problem = spec["components"]["schemas"]["Problem"]
    assert set(statuses) <= set(problem["properties"]["code"]["enum"])
    # The codes of item 11 landed where a client expects them.
    expect = {"SIGNATURE_INVALID": "400", "WEBHOOK_SIGNATURE_INVALID": "401", "THREAD_LOCKED": "409", "MFA_NOT_ENABLED": "409",
              "NOT_REFUNDABLE": "409", "DOCUMENTS_REQUIRED": "409", "LINK_INVALID": "400",
              "TOKEN_INVALID": "401", "FORBIDDEN": "403"}
    for code, status in expect.items():
        assert statuses.get(code) == {status}, (code, statuses.get(code))
    assert "PLATFORM_ADMINS_ONLY" not in statuses and "NOT_YOUR_POST" not in statuses


def test_headers_are_documented(spec):
    """Item 5: the headers the server reads and writes are in the document."""
    params = spec["components"]["parameters"]
    assert {"IdempotencyKeyRequired", "XSession", "Traceparent", "XRequestId"} <= set(params), sorted(params)
    assert params["IdempotencyKeyRequired"]["required"] is True
    headers = spec["components"]["headers"]
    assert {"XRequestId", "RateLimitLimit", "RateLimitRemaining", "RateLimitReset", "RetryAfter",
            "SetCookie"} <= set(headers), sorted(headers)
    # Public reads that personalise with a token say so: a generated client sends it.
    for template in ("/v1/forum/threads", "/v1/forum/threads/{thread_id}", "/v1/forum/search"):
        security = spec["paths"][template]["get"].get("security")
        assert security and {} in security and any("bearerAuth" in s for s in security), (template, security)


def test_bodies_that_are_not_json_are_described_as_they_are(spec):
    """Item 9: the document upload takes the file itself; the webhook takes the gateway's JSON."""
    upload = spec["paths"]["/v1/organizations/{organization_id}/documents"]["post"]
    assert {"application/pdf", "image/png", "image/jpeg"} <= set(upload["requestBody"]["content"])
    query = {p["name"] for p in upload["parameters"] if "$ref" not in p and p["in"] == "query"}
    assert {"document_type", "filename"} <= query
    hook = spec["paths"]["/v1/payments/webhooks/razorpay"]["post"]
    names = {p.get("name") for p in hook["parameters"] if "$ref" not in p}
    assert "X-Razorpay-Signature" in names, hook["parameters"]
    body = resolve(spec, hook["requestBody"]["content"]["application/json"]["schema"])
    assert "raw_body" not in body.get("properties", {}) and "signature" not in body.get("properties", {})


def test_an_unknown_gateway_is_not_found(api):
    """Item 9: it was a 401 (as if the signature were wrong); a gateway we do not take is no path."""
    r = api.post("/v1/payments/webhooks/stripe", {"event": "payment.captured"},
                 headers={"X-Razorpay-Signature": "00"})
    assert_problem(r, 404, "NOT_FOUND")
    r = api.post("/v1/payments/webhooks/razorpay", {"event": "payment.captured"})
    assert_problem(r, 401, "WEBHOOK_SIGNATURE_INVALID")


def test_internal_fields_are_not_part_of_the_api(api, user):
    """Item 6: the key travels as the Idempotency-Key header only; request_hash is internal."""
    for field, value in (("request_hash", "deadbeef"), ("idempotency_key", "abc")):
        r = send(api, user, "post", "/v1/payments", {"appointment_id": str(uuid.uuid4()), field: value})
        body = assert_problem(r, 400, "VALIDATION_FAILED")
        assert fields_named(r) == [field], body
    r = api.get("/v1/forum/threads", params={"category": "general"})
    assert_problem(r, 400, "VALIDATION_FAILED")
    assert fields_named(r) == ["category"]


def test_state_changing_fields_cannot_be_left_out(api, user):
    """Item 2: leaving out `pinned`, `locked`, `duration_seconds` or `value` used to mean false
    or 0 (unpin, unlock, lift, clear); now the field is required and named."""
    some = str(uuid.uuid4())
    cases = [("post", f"/v1/forum/threads/{some}/pin", {"reason": "useful"}, "pinned"),
             ("post", f"/v1/forum/threads/{some}/lock", {"reason": "off topic"}, "locked"),
             ("post", f"/v1/forum/users/{some}/suspension", {"reason": "lifted"}, "duration_seconds"),
             ("put", f"/v1/forum/posts/{some}/vote", {}, "value")]
    for method, url, body, field in cases:
        r = send(api, user, method, url, body)
        assert_problem(r, 400, "VALIDATION_FAILED")
        assert fields_named(r) == [field], (url, r.text)


def test_money_and_time_need_an_idempotency_key(api, user, spec):
    """Item 7: bookings, reschedules, payments and refunds need Idempotency-Key, and the
    document says so."""
    some = str(uuid.uuid4())
    calls = [("/v1/appointments", "post", {"practitioner_id": some, "facility_id": some,
                                           "start": "2031-03-14T04:30:00Z", "mode": "in_person"}),
             ("/v1/appointments/{appointment_id}/reschedule", "post", {"start": "2031-03-14T05:30:00Z"}),
             ("/v1/payments", "post", {"appointment_id": some}),
             ("/v1/payments/{payment_id}/refunds", "post", {"reason": "cancelled"})]
    for template, method, body in calls:
        op = spec["paths"][template][method]
        assert {"$ref": "#/components/parameters/IdempotencyKeyRequired"} in op["parameters"], template
        r = api.call(method.upper(), url_for(template, op), body, token=user.access)
        assert_problem(r, 400, "VALIDATION_FAILED")
        assert fields_named(r) == ["Idempotency-Key"], (template, r.text)


def test_the_document_is_valid_json_schema_for_every_component(spec):
    """A client generator reads every schema: each must itself be valid JSON Schema 2020-12."""
    from jsonschema import Draft202012Validator

    for name, schema in spec["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
    text = json.dumps(spec)
    assert not re.search(r'"\$ref": "#/components/schemas/[^"]*"', text) or all(
        ref.split("/")[-1] in spec["components"]["schemas"]
        for ref in re.findall(r'"\$ref": "(#/components/schemas/[^"]*)"', text))


def test_a_format_the_document_allows_is_one_the_service_takes(api, user):
    """local_time is HH:MM from 00:00 to 24:00 wherever it appears: quiet hours until
    midnight are saved as the document allows, and 24:30 is refused by the BFF."""
    quiet = {"start_local": "22:00", "end_local": "24:00", "timezone": "Asia/Kolkata"}
    r = api.call("PUT", "/v1/notification-preferences", {"quiet_hours": quiet}, token=user.access)
    assert r.status_code == 200, r.text
    assert r.json()["quiet_hours"]["end_local"] == "24:00"
    r = api.call("PUT", "/v1/notification-preferences", {"quiet_hours": {**quiet, "end_local": "24:30"}},
                 token=user.access)
    assert_problem(r, 400, "VALIDATION_FAILED")
    assert fields_named(r) == ["quiet_hours.end_local"]


def test_the_error_model_document_lists_every_code_with_its_status(spec):
    """docs/error-model.md is the human list: the same codes, with the same statuses, as the
    document the server generates."""
    import pathlib

    text = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "error-model.md").read_text()
    listed = dict(re.findall(r"^\| `([A-Z_]+)` \| (\d{3}) \|", text, re.M))
    documented = {}
    for item in spec["paths"].values():
        for op in item.values():
            for status, response in op.get("responses", {}).items():
                if "$ref" in response:
                    response = spec["components"]["responses"][response["$ref"].split("/")[-1]]
                for media in response.get("content", {}).values():
                    for code in media.get("schema", {}).get("properties", {}).get("code", {}).get("enum", []):
                        documented[code] = status
    assert set(spec["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]) == set(listed)
    assert {c: listed[c] for c in documented} == documented
