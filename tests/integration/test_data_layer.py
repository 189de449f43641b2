"""The data layer as the services see it: least privilege, row-level security, outbox."""
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest
import requests


def iam_app_url():
    for line in os.environ["IAM_ENV"].splitlines():
        if line.startswith("DATABASE_URL="):
            return line.split("=", 1)[1]
    pytest.fail("IAM_ENV has no DATABASE_URL")


def psql_as_app(sql):
    return subprocess.run(["psql", "-X", "-q", "-tA", iam_app_url(), "-c", sql],
                          capture_output=True, text=True, timeout=30)


def test_app_role_has_dml_only_on_its_own_schema(user):
    for ddl in ("CREATE TABLE iam.evil (x int)", "TRUNCATE iam.users", "DROP TABLE iam.users",
                "ALTER TABLE iam.users ADD COLUMN x int", "CREATE SCHEMA evil",
                "CREATE TABLE public.evil (x int)", "DELETE FROM iam.audit_log",
                "UPDATE iam.audit_log SET action = 'x'"):
        out = psql_as_app(ddl)
        assert out.returncode != 0 and ("permission denied" in out.stderr or "must be owner" in out.stderr), (ddl, out.stderr)


def test_row_level_security_hides_other_users(user, api):
    other = api.register()
    # No caller set: nothing visible at all.
    assert psql_as_app("SELECT count(*) FROM iam.users").stdout.strip() == "0"
    # As `user`: exactly their own row, never `other`'s.
    sql = (f"BEGIN; SELECT set_config('app.subject_id', '{user.id}', true); "
           f"SELECT string_agg(id::text, ',') FROM iam.users; COMMIT;")
    out = psql_as_app(sql)
    assert out.returncode == 0, out.stderr
    assert user.id in out.stdout and other.id not in out.stdout
    # Writing someone else's row as `user` changes nothing.
    sql = (f"BEGIN; SELECT set_config('app.subject_id', '{user.id}', true); "
           f"UPDATE iam.users SET full_name = 'pwned' WHERE id = '{other.id}'; COMMIT;")
    assert psql_as_app(sql).returncode == 0
    assert api.get("/v1/me", token=api.login(other)["access_token"]).json()["full_name"] != "pwned"


def test_events_reach_the_redis_stream_through_the_outbox(api, db):
    u = api.register()
    deadline = time.time() + 10
    port = os.environ["REDIS_PORT"]
    while time.time() < deadline:
        out = subprocess.run(["redis-cli", "-p", port, "--raw", "XRANGE", "healthtech:events:iam", "-", "+"],
                             capture_output=True, text=True).stdout
        if u.id in out and "user.registered" in out:
            break
        time.sleep(0.1)
    else:
        pytest.fail("user.registered never reached healthtech:events:iam")
    assert "user.email_verification_requested" in out and "email_verification_requested" in out
    assert db(f"SELECT count(*) FROM iam.outbox WHERE aggregate_id = '{u.id}' AND published_at IS NULL") == "0"


def test_migrations_are_recorded_and_not_reapplied(db):
    versions = db("SELECT string_agg(version::text, ',' ORDER BY version) FROM iam.schema_migrations")
    assert versions.startswith("1,2")
    out = subprocess.run([os.environ["IAM_BIN"], "migrate"], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "MIGRATION_DATABASE_URL": migrator_url()})
    assert out.returncode == 0, out.stderr
    assert "0 migration(s) applied" in out.stdout


def migrator_url():
    # The superuser URL with the migrator's credentials is not exported; the superuser can
    # run the same runner (it may SET ROLE to any owner).
    return os.environ["TEST_DATABASE_URL"]


def test_openapi_passes_redocly_lint(api):
    if shutil.which("npx") is None:
        pytest.fail("npx (Node.js) is needed to lint the OpenAPI document")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "openapi.json")
        with open(path, "w") as f:
            f.write(api.get("/v1/openapi.json").text)
        out = subprocess.run(["npx", "--yes", "@redocly/cli@2.77.0", "lint", path],
                             capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
        assert "valid" in out.stdout + out.stderr
