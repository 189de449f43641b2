"""IAM flows through the REST API: register, verify, login, MFA, refresh, logout, reset."""
import time
import uuid

from conftest import assert_problem, jwt_parts, totp


def test_register_verify_login_me(api):
    email = f"Asha.{uuid.uuid4().hex[:8]}@Example.com"
    r = api.post("/v1/auth/register", {"email": email, "password": "correct horse battery",
                                       "full_name": "Asha Rao", "phone": "+919812345678"})
    assert r.status_code == 201, r.text
    user_id = r.json()["user_id"]
    # Not verified yet: sign-in is refused with a clear reason.
    r = api.post("/v1/auth/login", {"email": email, "password": "correct horse battery"})
    assert_problem(r, 403, "EMAIL_NOT_VERIFIED")
    mail = api.outbox(email.lower())
    assert len(mail) == 1
    assert mail[0]["channel"] == "email" and mail[0]["to"] == email.lower()
    assert "verify-email?token=" in mail[0]["body"]
    r = api.post("/v1/auth/verify-email", {"token": api.last_token(email.lower())})
    assert r.status_code == 200 and r.json() == {"user_id": user_id, "email_verified": True}

    r = api.post("/v1/auth/login", {"email": email.upper(), "password": "correct horse battery"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert "mfa_required" not in body
    header, claims = jwt_parts(body["access_token"])
    assert header["alg"] == "EdDSA" and header["kid"]
    for claim in ("iss", "aud", "sub", "exp", "iat", "jti", "roles", "amr", "aal"):
        assert claim in claims, claim
    assert claims["sub"] == user_id and claims["roles"] == ["patient"] and claims["amr"] == ["pwd"]
    assert claims["aal"] == "aal1" and claims["exp"] - claims["iat"] == 900

    r = api.get("/v1/me", token=body["access_token"])
    assert r.status_code == 200
    me = r.json()
    assert me["id"] == user_id and me["email"] == email.lower() and me["full_name"] == "Asha Rao"
    assert me["phone"] == "+919812345678" and me["email_verified"] and not me["mfa_enabled"]


def test_verification_token_is_single_use_and_checked(api, db):
    u = api.register(verify=False)
    token = api.last_token(u.email)
    assert api.post("/v1/auth/verify-email", {"token": token}).status_code == 200
    assert_problem(api.post("/v1/auth/verify-email", {"token": token}), 400, "LINK_INVALID")
    assert_problem(api.post("/v1/auth/verify-email", {"token": "nope"}), 400, "LINK_INVALID")
    # An expired token (24 h) is refused too.
    v = api.register(verify=False)
    db(f"UPDATE iam.one_time_tokens SET expires_at = now() - interval '1 second' "
       f"WHERE user_id = '{v.id}'")
    assert_problem(api.post("/v1/auth/verify-email", {"token": api.last_token(v.email)}), 400,
                   "LINK_INVALID")
    # The database stores only a hash of the token.
    assert db(f"SELECT count(*) FROM iam.one_time_tokens WHERE user_id = '{u.id}' AND "
              f"length(token_hash) = 32") == "1"


def test_register_rejects_bad_input_and_changes_nothing(api, db):
    before = db("SELECT count(*) FROM iam.users")
    cases = [
        ({"email": "not-an-email", "password": "correct horse battery", "full_name": "A"}, "email"),
        ({"email": "a@example.com", "password": "short", "full_name": "A"}, "password"),
        ({"email": "a@example.com", "password": "Password123", "full_name": "A"}, "password"),
        ({"email": "a@example.com", "password": "correct horse battery", "full_name": " "}, "full_name"),
        ({"email": "a@example.com", "password": "correct horse battery", "full_name": "A",
          "phone": "12345"}, "phone"),
        ({"email": "a@example.com", "password": "correct horse battery", "full_name": "A",
          "role": "platform_admin"}, "role"),
        ({"email": "a@example.com", "password": 1234567890123, "full_name": "A"}, "password"),
    ]
    for body, field in cases:
        r = api.post("/v1/auth/register", body)
        problem = assert_problem(r, 400)
        assert field in [e["field"] for e in problem["errors"]], (body, problem)
    assert db("SELECT count(*) FROM iam.users") == before


def test_register_same_email_twice_is_a_conflict(api):
    u = api.register()
    r = api.post("/v1/auth/register", {"email": u.email, "password": "another good password",
                                       "full_name": "Someone Else"})
    assert_problem(r, 409, "EMAIL_TAKEN")


def test_wrong_password_and_unknown_email_look_the_same(api, user):
    r1 = api.post("/v1/auth/login", {"email": user.email, "password": "wrong password!!"})
    r2 = api.post("/v1/auth/login", {"email": f"ghost-{uuid.uuid4().hex}@example.com",
                                     "password": "wrong password!!"})
    b1, b2 = assert_problem(r1, 401), assert_problem(r2, 401)
    assert b1["code"] == b2["code"] == "INVALID_CREDENTIALS"
    assert b1["detail"] == b2["detail"]


def test_failed_logins_are_throttled_per_account(api, user):
    for _ in range(10):
        r = api.post("/v1/auth/login", {"email": user.email, "password": "wrong password!!"})
        assert_problem(r, 401, "INVALID_CREDENTIALS")
    r = api.post("/v1/auth/login", {"email": user.email, "password": user.password})
    assert_problem(r, 429, "LOGIN_THROTTLED")
    assert int(r.headers["Retry-After"]) > 0
    # Unknown accounts are throttled the same way (no hint that they do not exist).
    ghost = f"ghost-{uuid.uuid4().hex}@example.com"
    for _ in range(10):
        api.post("/v1/auth/login", {"email": ghost, "password": "wrong password!!"})
    assert_problem(api.post("/v1/auth/login", {"email": ghost, "password": "x"}), 429)


def test_refresh_rotates_and_reuse_revokes_the_family(api, user):
    first = user.refresh
    r = api.post("/v1/auth/refresh", {"refresh_token": first})
    assert r.status_code == 200, r.text
    second = r.json()["refresh_token"]
    assert second != first and r.json()["access_token"]
    r = api.post("/v1/auth/refresh", {"refresh_token": second})
    assert r.status_code == 200
    third = r.json()["refresh_token"]
    # Presenting a rotated token again: 401, and every descendant dies with it.
    assert_problem(api.post("/v1/auth/refresh", {"refresh_token": first}), 401,
                   "REFRESH_TOKEN_INVALID")
    assert_problem(api.post("/v1/auth/refresh", {"refresh_token": third}), 401,
                   "REFRESH_TOKEN_INVALID")
    assert_problem(api.post("/v1/auth/refresh", {"refresh_token": "garbage"}), 401)


def test_logout_and_logout_all(api, user):
    first_access = user.access
    other = api.login(user)  # a second session
    assert api.post("/v1/auth/logout", {"refresh_token": other["refresh_token"]}).json() == {"sessions_revoked": 1}
    assert_problem(api.post("/v1/auth/refresh", {"refresh_token": other["refresh_token"]}), 401)
    # The signed-out session's access token stops at once; the other session goes on.
    assert_problem(api.get("/v1/me", token=other["access_token"]), 401, "TOKEN_REVOKED")
    assert api.get("/v1/me", token=first_access).status_code == 200
    third = api.login(user)
    r = api.post("/v1/auth/logout-all", token=third["access_token"])
    assert r.status_code == 200 and r.json()["sessions_revoked"] >= 1
    assert_problem(api.post("/v1/auth/refresh", {"refresh_token": third["refresh_token"]}), 401)
    for token in (first_access, third["access_token"]):  # everywhere means everywhere
        assert_problem(api.get("/v1/me", token=token), 401, "TOKEN_REVOKED")
    assert_problem(api.post("/v1/auth/logout-all"), 401, "AUTH_REQUIRED")
    # Signing in again right away works (in the same second as the cut).
    fresh = api.login(user)
    assert api.get("/v1/me", token=fresh["access_token"]).status_code == 200


def test_browser_sessions_keep_the_refresh_token_in_an_httponly_cookie(api, user):
    import requests
    browser = requests.Session()
    h = {"X-Session": "cookie"}
    r = browser.post(api.base + "/v1/auth/login", json={"email": user.email, "password": user.password}, headers=h)
    assert r.status_code == 200, r.text
    assert "refresh_token" not in r.json() and r.json()["access_token"]
    cookie = r.headers["Set-Cookie"]
    for attribute in ("ht_refresh=", "HttpOnly", "SameSite=Strict", "Path=/v1/auth", "Max-Age=2592000"):
        assert attribute in cookie, cookie
    first = browser.cookies.get("ht_refresh")
    # Refresh with the cookie alone: a new access token, and the cookie rotates.
    r = browser.post(api.base + "/v1/auth/refresh", json={}, headers=h)
    assert r.status_code == 200 and "refresh_token" not in r.json(), r.text
    assert browser.cookies.get("ht_refresh") not in (None, first)
    assert api.get("/v1/me", token=r.json()["access_token"]).status_code == 200
    # Without the header the cookie is not used (another site cannot add the header
    # without a CORS preflight, and SameSite=Strict keeps the cookie from its requests).
    assert_problem(browser.post(api.base + "/v1/auth/refresh", json={}), 400, "VALIDATION_FAILED")
    r = browser.post(api.base + "/v1/auth/logout", json={}, headers=h)
    assert r.status_code == 200 and r.json() == {"sessions_revoked": 1}
    assert "Max-Age=0" in r.headers["Set-Cookie"] and browser.cookies.get("ht_refresh") is None
    # A refused refresh clears a stale cookie too.
    browser.cookies.set("ht_refresh", first, path="/v1/auth")
    r = browser.post(api.base + "/v1/auth/refresh", json={}, headers=h)
    assert r.status_code == 401 and "Max-Age=0" in r.headers["Set-Cookie"]
    # API clients (no header) keep the tokens in the body, as before.
    assert "refresh_token" in api.post("/v1/auth/login", {"email": user.email, "password": user.password}).json()


def test_totp_enrolment_login_and_replay(api, user):
    r = api.post("/v1/auth/mfa/totp/enroll", token=user.access)
    assert r.status_code == 200, r.text
    secret, uri = r.json()["secret"], r.json()["otpauth_uri"]
    assert uri.startswith("otpauth://totp/HealthTech:") and f"secret={secret}" in uri
    assert_problem(api.post("/v1/auth/mfa/totp/activate", {"code": "000000"}, token=user.access), 400,
                   "MFA_CODE_INVALID")
    r = api.post("/v1/auth/mfa/totp/activate", {"code": totp(secret)}, token=user.access)
    assert r.status_code == 200, r.text
    codes = r.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert api.get("/v1/me", token=user.access).json()["mfa_enabled"] is True

    # Sign-in now stops at the MFA challenge.
    r = api.post("/v1/auth/login", {"email": user.email, "password": user.password})
    assert r.status_code == 200 and r.json()["mfa_required"] is True
    assert "access_token" not in r.json()
    challenge = r.json()["mfa_token"]
    assert_problem(api.post("/v1/auth/mfa/verify", {"mfa_token": challenge, "code": "123456"}), 400,
                   "MFA_CODE_INVALID")
    # The activation code's time step was used; wait for a fresh step if needed.
    code = totp(secret, step_offset=1)
    r = api.post("/v1/auth/mfa/verify", {"mfa_token": challenge, "code": code})
    assert r.status_code == 200, r.text
    _, claims = jwt_parts(r.json()["access_token"])
    assert claims["aal"] == "aal2" and claims["amr"] == ["pwd", "otp"]
    # The same code again (on a new challenge) is a replay.
    challenge2 = api.post("/v1/auth/login", {"email": user.email, "password": user.password}).json()["mfa_token"]
    assert_problem(api.post("/v1/auth/mfa/verify", {"mfa_token": challenge2, "code": code}), 400,
                   "MFA_CODE_INVALID")
    # A used challenge cannot be completed twice.
    assert_problem(api.post("/v1/auth/mfa/verify", {"mfa_token": challenge, "code": code}), 401)
    # Recovery codes work once each.
    r = api.post("/v1/auth/mfa/verify", {"mfa_token": challenge2, "recovery_code": codes[0].upper()})
    assert r.status_code == 200, r.text
    challenge3 = api.post("/v1/auth/login", {"email": user.email, "password": user.password}).json()["mfa_token"]
    assert_problem(api.post("/v1/auth/mfa/verify", {"mfa_token": challenge3, "recovery_code": codes[0]}),
                   400, "MFA_CODE_INVALID")
    # Both or neither of code / recovery_code is a validation error.
    assert_problem(api.post("/v1/auth/mfa/verify", {"mfa_token": challenge3}), 400)

    # Turning TOTP off needs a current, unused code: wait for the next 30 s step.
    assert_problem(api.delete("/v1/auth/mfa/totp", {"code": code}, token=user.access), 400, "MFA_CODE_INVALID")
    used_step = int(time.time() // 30) + 1
    while int(time.time() // 30) < used_step:
        time.sleep(0.5)
    r = api.delete("/v1/auth/mfa/totp", {"code": totp(secret, step_offset=1)}, token=user.access)
    assert r.status_code == 200 and r.json() == {"mfa_enabled": False}
    assert "access_token" in api.post("/v1/auth/login", {"email": user.email,
                                                         "password": user.password}).json()


def test_mfa_challenge_allows_five_attempts(api, user):
    secret = api.post("/v1/auth/mfa/totp/enroll", token=user.access).json()["secret"]
    api.post("/v1/auth/mfa/totp/activate", {"code": totp(secret)}, token=user.access)
    challenge = api.post("/v1/auth/login", {"email": user.email, "password": user.password}).json()["mfa_token"]
    for _ in range(5):
        api.post("/v1/auth/mfa/verify", {"mfa_token": challenge, "code": "000000"})
    r = api.post("/v1/auth/mfa/verify", {"mfa_token": challenge, "code": totp(secret, step_offset=1)})
    assert_problem(r, 401, "TOKEN_INVALID")  # the challenge is over: sign in again


def test_password_reset(api, user, db):
    # Same answer for known and unknown addresses.
    assert api.post("/v1/auth/password/forgot", {"email": user.email}).status_code == 202
    assert api.post("/v1/auth/password/forgot",
                    {"email": f"ghost-{uuid.uuid4().hex}@example.com"}).status_code == 202
    token = api.last_token(user.email, "reset-password")
    assert_problem(api.post("/v1/auth/password/reset", {"token": token, "new_password": "short"}), 400)
    r = api.post("/v1/auth/password/reset", {"token": token, "new_password": "a brand new passphrase"})
    assert r.status_code == 200 and r.json()["user_id"] == user.id
    # Every session ended, access tokens included; the old password no longer works; the new one does.
    assert_problem(api.post("/v1/auth/refresh", {"refresh_token": user.refresh}), 401)
    assert_problem(api.get("/v1/me", token=user.access), 401, "TOKEN_REVOKED")
    assert_problem(api.post("/v1/auth/login", {"email": user.email, "password": user.password}), 401)
    user.password = "a brand new passphrase"
    api.login(user)
    # The link is single use.
    assert_problem(api.post("/v1/auth/password/reset",
                            {"token": token, "new_password": "yet another passphrase"}), 400,
                   "LINK_INVALID")


def test_expired_reset_token_is_refused(api, user, db):
    api.post("/v1/auth/password/forgot", {"email": user.email})
    token = api.last_token(user.email, "reset-password")
    db(f"UPDATE iam.one_time_tokens SET expires_at = now() - interval '1 second' "
       f"WHERE user_id = '{user.id}' AND purpose = 'reset_password'")
    r = api.post("/v1/auth/password/reset", {"token": token, "new_password": "a brand new passphrase"})
    assert_problem(r, 400, "LINK_INVALID")
    api.login(user)  # the old password still works


def test_update_profile_and_change_password(api, user):
    r = api.patch("/v1/me", {"full_name": "Asha R.", "phone": "+14155550123"}, token=user.access)
    assert r.status_code == 200 and r.json()["full_name"] == "Asha R."
    assert r.json()["phone"] == "+14155550123"
    r = api.patch("/v1/me", {"phone": ""}, token=user.access)
    assert "phone" not in r.json() and r.json()["full_name"] == "Asha R."  # absent when unset
    assert_problem(api.patch("/v1/me", {"phone": "12"}, token=user.access), 400)
    assert_problem(api.patch("/v1/me", {"email": "x@y.com"}, token=user.access), 400)

    r = api.post("/v1/me/password", {"current_password": "wrong one here",
                                     "new_password": "a brand new passphrase"}, token=user.access)
    assert_problem(r, 400, "CURRENT_PASSWORD_INCORRECT")
    elsewhere = api.post("/v1/auth/login", {"email": user.email, "password": user.password}).json()  # another device
    r = api.post("/v1/me/password", {"current_password": user.password,
                                     "new_password": "a brand new passphrase"}, token=user.access)
    assert r.status_code == 200, r.text
    # The other session ends at once (its access token too); this one goes on.
    assert_problem(api.post("/v1/auth/refresh", {"refresh_token": elsewhere["refresh_token"]}), 401)
    assert_problem(api.get("/v1/me", token=elsewhere["access_token"]), 401, "TOKEN_REVOKED")
    assert api.get("/v1/me", token=user.access).status_code == 200
    r = api.post("/v1/auth/refresh", {"refresh_token": user.refresh})
    assert r.status_code == 200, r.text
    user.password = "a brand new passphrase"
    api.login(user)


def test_resend_verification(api):
    u = api.register(verify=False)
    assert api.post("/v1/auth/resend-verification", {"email": u.email}).status_code == 202
    assert len(api.outbox(u.email, at_least=2)) == 2
    assert api.post("/v1/auth/verify-email", {"token": api.last_token(u.email)}).status_code == 200
    # Already verified / unknown: same answer, nothing sent.
    assert api.post("/v1/auth/resend-verification", {"email": u.email}).status_code == 202
    time.sleep(1.5)  # time enough for a message to arrive, were one sent
    assert len(api.outbox(u.email, at_least=0)) == 2
