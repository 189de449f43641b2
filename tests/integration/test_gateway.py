"""The BFF as a gateway: token checks, validation, limits, headers, CORS, OpenAPI."""
import json
import os
import time
import uuid

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from conftest import assert_problem, b64url, jwt_parts


def sign(claims, key, kid, alg="EdDSA"):
    header = {"alg": alg, "typ": "JWT", "kid": kid}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = key.sign(signing_input.encode()) if key else b""
    return signing_input + "." + b64url(sig)


def test_tokens_that_must_be_refused(api, user, db):
    _, claims = jwt_parts(user.access)
    assert api.get("/v1/me", token=user.access).status_code == 200
    # A key the platform trusts (inserted like a rotated key) so that only one thing
    # differs in each bad token below.
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    kid = "test-" + uuid.uuid4().hex[:8]
    db(f"INSERT INTO iam.signing_keys (kid, alg, public_key, private_key_enc, retired_at) VALUES "
       f"('{kid}', 'EdDSA', '\\x{raw.hex()}', '\\x00', now())")
    now = int(time.time())
    good = dict(claims, iat=now, exp=now + 300)
    assert api.get("/v1/me", token=sign(good, key, kid)).status_code == 200

    bad = {
        "expired": sign(dict(good, exp=now - 120), key, kid),
        "wrong audience": sign(dict(good, aud="someone-else"), key, kid),
        "wrong issuer": sign(dict(good, iss="https://evil.example"), key, kid),
        "unknown kid": sign(good, key, "no-such-kid"),
        "bad signature": sign(good, Ed25519PrivateKey.generate(), kid),
        "alg none": sign(good, None, kid, alg="none"),
        "alg HS256": sign(good, key, kid, alg="HS256"),
        "garbage": "not.a.token",
    }
    for name, token in bad.items():
        r = api.get("/v1/me", token=token)
        body = assert_problem(r, 401)
        assert body["code"] in ("TOKEN_INVALID", "TOKEN_EXPIRED"), (name, body)
        assert r.headers["WWW-Authenticate"].startswith("Bearer"), name
    assert assert_problem(api.get("/v1/me", token=bad["expired"]), 401)["code"] == "TOKEN_EXPIRED"
    # A token the BFF would accept but whose claims are tampered with is also refused by IAM.
    tampered = user.access.split(".")
    tampered[1] = b64url(json.dumps(dict(claims, roles=["platform_admin"])).encode())
    assert_problem(api.get("/v1/me", token=".".join(tampered)), 401)
    assert_problem(api.get("/v1/me", headers={"Authorization": "Basic abc"}), 401, "AUTH_REQUIRED")


def test_body_validation(api, user):
    h = {"Content-Type": "application/json"}
    r = api.s.post(api.base + "/v1/auth/login", data="{not json", headers=h)
    assert_problem(r, 400, "MALFORMED_JSON")
    r = api.s.post(api.base + "/v1/auth/login", data="[1,2]", headers=h)
    assert_problem(r, 400, "MALFORMED_JSON")
    r = api.s.post(api.base + "/v1/auth/login", data='{"email":"a@b.co"}', headers={"Content-Type": "text/plain"})
    assert_problem(r, 415, "UNSUPPORTED_MEDIA_TYPE")
    r = api.s.post(api.base + "/v1/auth/login", data="x" * (1024 * 1024 + 10), headers=h)
    assert_problem(r, 413, "PAYLOAD_TOO_LARGE")
    body = assert_problem(api.post("/v1/auth/login", {"email": "a@b.co", "password": 5, "extra": 1}), 400,
                          "VALIDATION_FAILED")
    assert {e["field"] for e in body["errors"]} == {"password", "extra"}
    # A path parameter cannot be smuggled in the body.
    body = assert_problem(api.post(f"/v1/admin/users/{user.id}/roles", {"user_id": user.id, "role": "moderator"},
                                   token=user.access), 400)
    assert body["errors"][0]["field"] == "user_id"
    # Unknown query parameters are refused, not ignored.
    assert_problem(api.get("/v1/me", params={"debug": "1"}, token=user.access), 400)


def test_unknown_routes_and_methods(api):
    assert_problem(api.get("/v1/nope"), 404, "NOT_FOUND")
    r = api.call("PUT", "/v1/me")
    assert_problem(r, 405, "METHOD_NOT_ALLOWED")
    assert set(r.headers["Allow"].split(", ")) == {"GET", "PATCH"}


def test_every_response_has_security_headers_and_request_id(api):
    for r in (api.get("/health"), api.get("/v1/nope"), api.get("/v1/openapi.json"),
              api.post("/v1/auth/login", {"email": "x@example.com", "password": "y"})):
        assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Content-Security-Policy" in r.headers
        assert r.headers["X-Request-Id"]
    r = api.get("/health", headers={"X-Request-Id": "abc-123"})
    assert r.headers["X-Request-Id"] == "abc-123"
    r = api.get("/health", headers={"X-Request-Id": "bad id\twith spaces"})
    assert r.headers["X-Request-Id"] != "bad id\twith spaces"
    assert api.get("/v1/me").headers["Cache-Control"] == "no-store"


def test_cors_only_for_configured_origins(api):
    allowed = "http://localhost:5173"
    r = api.call("OPTIONS", "/v1/auth/login", headers={"Origin": allowed,
                                                       "Access-Control-Request-Method": "POST"})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == allowed
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in r.headers["Access-Control-Allow-Headers"]
    r = api.get("/health", headers={"Origin": allowed})
    assert r.headers["Access-Control-Allow-Origin"] == allowed
    r = api.call("OPTIONS", "/v1/auth/login", headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and "Access-Control-Allow-Origin" not in r.headers
    assert "Access-Control-Allow-Origin" not in api.get("/health", headers={"Origin": "https://evil.example"}).headers


def test_per_user_rate_limit(api, user):
    # Default per-user bucket: 20/s, burst 100. Hammer it and expect 429s with headers.
    statuses, last = [], None
    for _ in range(160):
        last = api.get("/v1/me", token=user.access)
        statuses.append(last.status_code)
        if last.status_code == 429:
            break
    assert 429 in statuses, statuses[-5:]
    assert statuses.count(200) >= 90
    body = assert_problem(last, 429, "RATE_LIMITED")
    assert int(last.headers["Retry-After"]) >= 1
    assert last.headers["RateLimit-Remaining"] == "0"
    assert int(last.headers["RateLimit-Limit"]) == 100
    # /health is never limited.
    assert api.get("/health").status_code == 200
    del body


def test_rate_limit_headers_on_limited_routes(api):
    r = api.post("/v1/auth/password/forgot", {"email": "x@example.com"})
    assert r.status_code == 202
    for h in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"):
        assert h in r.headers
    assert "RateLimit-Limit" not in api.get("/health").headers


def test_health_ready_and_openapi(api):
    assert api.get("/health").json() == {"status": "ok"}
    r = api.get("/ready")
    assert r.status_code == 200 and r.json()["status"] == "ready"
    assert set(r.json()["checks"]) == {"iam", "org", "appointment", "payment", "notification",
                                        "forum", "uhi", "redis"}
    doc = api.get("/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    ops = [(path, method.upper()) for path, item in doc["paths"].items() for method in item]
    assert len(ops) >= 20
    # Every documented operation is routed (never "no such resource" / 405), and the
    # routes named by the issue are all documented.
    for path, method in ops:
        concrete = path.replace("{user_id}", str(uuid.uuid4())).replace("{role}", "moderator")
        r = api.call(method, concrete, json_body={} if method in ("POST", "PATCH", "DELETE") else None)
        assert r.status_code != 405, (method, path)
        if r.status_code == 404:
            assert r.json()["code"] != "NOT_FOUND", (method, path, r.text)
    for path in ("/v1/auth/register", "/v1/auth/verify-email", "/v1/auth/login", "/v1/auth/mfa/verify",
                 "/v1/auth/mfa/totp/enroll", "/v1/auth/mfa/totp/activate", "/v1/auth/mfa/totp",
                 "/v1/auth/refresh", "/v1/auth/logout", "/v1/auth/logout-all",
                 "/v1/auth/password/forgot", "/v1/auth/password/reset", "/v1/me", "/v1/me/password",
                 "/.well-known/jwks.json", "/v1/admin/users/{user_id}/roles",
                 "/v1/admin/users/{user_id}/roles/{role}", "/v1/dev/outbox", "/health", "/ready"):
        assert path in doc["paths"], path


def test_jwks(api):
    r = api.get("/.well-known/jwks.json")
    assert r.status_code == 200 and "max-age" in r.headers["Cache-Control"]
    keys = r.json()["keys"]
    assert keys and all(k["kty"] == "OKP" and k["crv"] == "Ed25519" and k["alg"] == "EdDSA" for k in keys)
    assert all("d" not in k for k in keys)  # never a private part
