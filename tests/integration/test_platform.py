"""Platform behaviour: admins and roles, key rotation, probes, metrics, configuration."""
import os
import signal
import socket
import subprocess
import time
import uuid

import grpc
import requests

from conftest import assert_problem, jwt_parts


def iam_env():
    env = dict(os.environ)
    for line in os.environ["IAM_ENV"].splitlines():
        k, _, v = line.partition("=")
        env[k] = v
    return env


def grant_admin(email):
    out = subprocess.run([os.environ["IAM_BIN"], "grant-admin", email], env=iam_env(),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr + out.stdout


def test_first_admin_grants_and_revokes_roles(api):
    admin, member = api.register(), api.register()
    api.login(member)
    assert_problem(api.post(f"/v1/admin/users/{member.id}/roles", {"role": "moderator"},
                            token=member.access), 403, "FORBIDDEN")
    grant_admin(admin.email)
    grant_admin(admin.email)  # works again, harmlessly
    api.login(admin)
    assert "platform_admin" in jwt_parts(admin.access)[1]["roles"]
    r = api.post(f"/v1/admin/users/{member.id}/roles", {"role": "moderator"}, token=admin.access)
    assert r.status_code == 200 and "moderator" in r.json()["roles"]
    assert_problem(api.post(f"/v1/admin/users/{member.id}/roles", {"role": "god"}, token=admin.access), 400)
    assert_problem(api.post("/v1/admin/users/00000000-0000-4000-8000-000000000000/roles",
                            {"role": "moderator"}, token=admin.access), 404, "USER_NOT_FOUND")
    # The new role appears in the member's token after a refresh.
    r = api.post("/v1/auth/refresh", {"refresh_token": member.refresh})
    assert "moderator" in jwt_parts(r.json()["access_token"])[1]["roles"]
    moderator_token = r.json()["access_token"]
    member.refresh = r.json()["refresh_token"]
    r = api.delete(f"/v1/admin/users/{member.id}/roles/moderator", token=admin.access)
    assert r.status_code == 200 and "moderator" not in r.json()["roles"]
    # Tokens that carry the role stop at once; a refresh gives one without it.
    assert_problem(api.get("/v1/me", token=moderator_token), 401, "TOKEN_REVOKED")
    r = api.post("/v1/auth/refresh", {"refresh_token": member.refresh})
    assert r.status_code == 200 and "moderator" not in jwt_parts(r.json()["access_token"])[1]["roles"]
    assert api.get("/v1/me", token=r.json()["access_token"]).status_code == 200


def test_cli_admin_create_needs_a_registered_account():
    out = subprocess.run([os.environ["IAM_BIN"], "grant-admin", "nobody@example.com"], env=iam_env(),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "register it first" in out.stderr


def test_key_rotation_keeps_old_tokens_valid(api, user):
    admin = api.register()
    grant_admin(admin.email)
    api.login(admin)
    kid_before = jwt_parts(user.access)[0]["kid"]
    r = api.post("/v1/admin/signing-keys/rotate", token=admin.access)
    assert r.status_code == 200 and r.json()["kid"] != kid_before
    kids = {k["kid"] for k in api.get("/.well-known/jwks.json").json()["keys"]}
    assert {kid_before, r.json()["kid"]} <= kids
    assert api.get("/v1/me", token=user.access).status_code == 200  # old key still accepted
    fresh = api.login(user)
    assert jwt_parts(fresh["access_token"])[0]["kid"] == r.json()["kid"]
    assert api.get("/v1/me", token=fresh["access_token"]).status_code == 200


def admin_ports():
    out = {}
    for part in os.environ["SERVICE_ADMIN_PORTS"].strip(",").split(","):
        name, _, port = part.partition("=")
        out[name] = int(port)
    return out


def test_metrics_pass_promtool_and_count_rpcs(api, user):
    api.get("/v1/me", token=user.access)
    urls = {name: f"http://127.0.0.1:{port}/metrics" for name, port in admin_ports().items()}
    urls["bff"] = os.environ["BFF_ADMIN_URL"] + "/metrics"
    for name, url in urls.items():
        text = requests.get(url, timeout=10).text
        check = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
        assert check.returncode == 0, (name, check.stdout, check.stderr)
    iam = requests.get(urls["iam"], timeout=10).text
    assert 'grpc_requests_total{service="iam-service",method="GetMe",code="OK"}' in iam
    assert "grpc_request_duration_seconds_bucket" in iam
    assert 'active_database_connections{service="iam-service"}' in iam
    bff = requests.get(urls["bff"], timeout=10).text
    assert 'http_requests_total{route="/v1/me",method="GET",status="200"}' in bff
    assert 'http_request_duration_seconds_bucket{route="/v1/me"' in bff
    for name, port in admin_ports().items():
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200


def test_grpc_health_and_reflection_on_every_service():
    ports = {k: int(v) for k, v in (p.split("=") for p in os.environ["SERVICE_GRPC_PORTS"].strip(",").split(","))}
    for name, port in ports.items():
        ch = grpc.insecure_channel(f"127.0.0.1:{port}")
        check = ch.unary_unary("/grpc.health.v1.Health/Check")
        assert check(b"", timeout=5) == b"\x08\x01", name  # SERVING
        refl = ch.stream_stream("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
        # ServerReflectionRequest{list_services: ""} (field 7)
        replies = list(refl(iter([b"\x3a\x00"]), timeout=5))
        assert f"healthtech.{name}.v1.".encode() in replies[0], name
        ch.close()


def test_dev_outbox_is_404_outside_development(api):
    env = dict(os.environ)
    with socket.socket() as s1, socket.socket() as s2:
        s1.bind(("127.0.0.1", 0)); s2.bind(("127.0.0.1", 0))
        http_port, admin_port = s1.getsockname()[1], s2.getsockname()[1]
    bff_bin = os.path.join(os.path.dirname(os.environ["IAM_BIN"]), "bff-service")
    ienv = iam_env()
    env.update({"HEALTHTECH_ENV": "production", "HTTP_PORT": str(http_port), "ADMIN_PORT": str(admin_port),
                "BIND_ADDRESS": "127.0.0.1", "REDIS_URL": ienv["REDIS_URL"],
                "IAM_SERVICE_URL": ienv["IAM_SERVICE_URL"], "JWT_ISSUER": ienv["JWT_ISSUER"]})
    proc = subprocess.Popen([bff_bin], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{http_port}"
        for _ in range(100):
            try:
                requests.get(url + "/health", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        r = requests.get(url + "/v1/dev/outbox", params={"to": "a@example.com"}, timeout=5)
        assert_problem(r, 404, "NOT_FOUND")
        assert requests.get(api.base + "/v1/dev/outbox", params={"to": "a@example.com"}).status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0


def test_services_refuse_bad_configuration_with_one_clear_line():
    env = {"PATH": os.environ["PATH"], "GRPC_PORT": "abc"}
    out = subprocess.run([os.environ["IAM_BIN"]], env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert "iam-service: configuration error: GRPC_PORT: must be an integer, got \"abc\"" in lines
    assert "iam-service: configuration error: DATABASE_URL: required but not set" in lines
    assert all(l.startswith("iam-service: configuration error: ") for l in lines)


def test_sigterm_drains_and_exits_cleanly():
    ienv = iam_env()
    with socket.socket() as s1, socket.socket() as s2:
        s1.bind(("127.0.0.1", 0)); s2.bind(("127.0.0.1", 0))
        grpc_port, admin_port = s1.getsockname()[1], s2.getsockname()[1]
    ienv.update({"GRPC_PORT": str(grpc_port), "ADMIN_PORT": str(admin_port)})
    proc = subprocess.Popen([os.environ["IAM_BIN"]], env=ienv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    ch = grpc.insecure_channel(f"127.0.0.1:{grpc_port}")
    grpc.channel_ready_future(ch).result(timeout=15)
    assert ch.unary_unary("/grpc.health.v1.Health/Check")(b"", timeout=5) == b"\x08\x01"
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert '"msg":"shutdown_finished"' in out
    ch.close()


def test_dev_outbox_waits_for_the_first_message(api):
    """The README's sign-up tour pasted in one go: the verification mail is asynchronous, so
    `?wait=` holds the answer until it is there instead of answering an empty list."""
    email = f"tour-{uuid.uuid4().hex[:10]}@example.com"
    r = api.post("/v1/auth/register", {"email": email, "password": "correct horse battery", "full_name": "Tour"})
    assert r.status_code == 201, r.text
    r = api.get("/v1/dev/outbox", params={"to": email, "wait": 5})
    assert r.status_code == 200, r.text
    assert len(r.json()["items"]) == 1 and "verify-email?token=" in r.json()["items"][0]["body"]
    # Nobody is written to: waiting ends at the deadline with nothing.
    r = api.get("/v1/dev/outbox", params={"to": f"nobody-{uuid.uuid4().hex[:6]}@example.com", "wait": 1})
    assert r.status_code == 200 and r.json()["items"] == []
    assert_problem(api.get("/v1/dev/outbox", params={"to": email, "wait": 9}), 400, "VALIDATION_FAILED")
