#!/usr/bin/env python3
"""Recovery drill against the running test stack (run by ./healthtech test).

Data is created through the REST API, `./healthtech backup` takes an encrypted dump, more
data is written, the database is destroyed (DROP DATABASE), `./healthtech restore` brings
the backup back, and the API and a checksum of every table show that exactly the backed-up
rows are there. Also: a wrong key is refused without touching the database, retention
deletes old files, the files are encrypted, the Redis RDB backup decrypts to an RDB file.

Environment: BFF_URL, HEALTHTECH_CLI, HEALTHTECH_DATA, TEST_DATABASE_URL (superuser),
plus the stack's ports as exported by ./healthtech test. Prints "ok - ..." lines and ends
"N passed, M failed".
"""
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid

import requests

BFF = os.environ["BFF_URL"]
CLI = os.environ["HEALTHTECH_CLI"]
DB = os.environ["TEST_DATABASE_URL"]
BACKUP_DIR = tempfile.mkdtemp(prefix="backups.", dir=os.environ["HEALTHTECH_DATA"])
ENV = dict(os.environ, BACKUP_DIR=BACKUP_DIR, BACKUP_ENCRYPTION_KEY="drill-" + uuid.uuid4().hex + uuid.uuid4().hex)
PASSWORD = "correct horse battery"
results = {"passed": 0, "failed": 0}


def report(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(("ok - " if ok else "not ok - ") + name + ("" if ok or not detail else "\n    " + str(detail)[:2000]))
    sys.stdout.flush()
    return ok


def psql(sql, db_url=DB):
    out = subprocess.run(["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", db_url, "-c", sql],
                         capture_output=True, text=True, env=dict(os.environ, PGCONNECT_TIMEOUT="5"))
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    return out.stdout.strip()


def snapshot(db_url=DB):
    """count + md5 of every table in the services' schemas, in a stable order."""
    tables = psql("SELECT table_schema || '.' || table_name FROM information_schema.tables "
                  "WHERE table_type = 'BASE TABLE' AND table_schema IN "
                  "('iam','org','appointment','payment','notification','forum','uhi') ORDER BY 1", db_url).split()
    snap = {}
    for t in tables:
        snap[t] = psql(f"SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM {t} x", db_url)
    return snap


def expected_from(dump):
    """What the backup holds: restored into a scratch database, snapshotted, dropped."""
    admin = DB.rsplit("/", 1)[0] + "/postgres"
    psql("DROP DATABASE IF EXISTS drill_expected", admin)
    psql("CREATE DATABASE drill_expected", admin)
    try:
        url = DB.rsplit("/", 1)[0] + "/drill_expected"
        env = dict(ENV, PGDATABASE="drill_expected", PGHOST=re.search(r"@([^:/]+)", DB).group(1),
                   PGPORT=re.search(r":(\d+)/", DB).group(1), PGUSER="postgres",
                   PGPASSWORD=re.search(r"postgres:([^@]*)@", DB).group(1))
        r = subprocess.run(["bash", os.path.join(os.path.dirname(CLI), "deploy/backup/healthtech-backup.sh"),
                            "restore-postgres", dump], capture_output=True, text=True, env=env)
        if r.returncode != 0:
            raise RuntimeError("scratch restore failed: " + r.stderr[-500:])
        return snapshot(url)
    finally:
        psql("DROP DATABASE IF EXISTS drill_expected WITH (FORCE)", admin)


def cli(*args, env=ENV):
    return subprocess.run([CLI, *args], capture_output=True, text=True, env=env, timeout=600)


def register(email):
    r = requests.post(f"{BFF}/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": "Drill User"}, timeout=10)
    assert r.status_code == 201, r.text
    items, deadline = [], time.time() + 20
    while not items and time.time() < deadline:  # the mail travels event -> notification -> SMTP sink
        items = requests.get(f"{BFF}/v1/dev/outbox", params={"to": email}, timeout=10).json()["items"]
        if not items:
            time.sleep(0.1)
    assert items, f"no verification mail for {email}"
    token = re.search(r"verify-email\?token=([A-Za-z0-9_-]+)", items[-1]["body"]).group(1)
    r = requests.post(f"{BFF}/v1/auth/verify-email", json={"token": token}, timeout=10)
    assert r.status_code == 200, r.text
    return r


def login(email):
    return requests.post(f"{BFF}/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=10)


def main():
    # 1. Data through the API, then a backup.
    before = [f"drill-{uuid.uuid4().hex[:10]}@example.com" for _ in range(5)]
    for e in before:
        register(e)
    tokens = {e: login(e).json()["access_token"] for e in before}
    users = int(psql("SELECT count(*) FROM iam.users"))
    report("the drill's data exists before the backup (users in iam)", users >= 5, users)

    t0 = time.monotonic()
    r = cli("backup")
    backup_seconds = time.monotonic() - t0
    files = [line for line in r.stdout.split("\n") if line.endswith(".dump.enc")]
    rdbs = [line for line in r.stdout.split("\n") if line.endswith(".rdb.enc")]
    if not report("./healthtech backup writes an encrypted PostgreSQL dump and a Redis RDB", r.returncode == 0 and len(files) == 1 and len(rdbs) == 1, r.stdout + r.stderr):
        return
    dump = files[0]
    with open(dump, "rb") as f:
        head = f.read(8)
    report("the dump is encrypted (no PGDMP header, openssl Salted__ envelope)", not head.startswith(b"PGDMP") and head.startswith(b"Salted__"), head)
    report("the dump has a checksum file", os.path.exists(dump + ".sha256"))
    expected = expected_from(dump)
    report(f"the backup holds the drill's users ({len(expected)} tables)",
           int(expected.get("iam.users", "0:").split(":")[0]) >= users, expected.get("iam.users"))

    rdb_out = os.path.join(BACKUP_DIR, "restored.rdb")
    r = subprocess.run(["bash", os.path.join(os.path.dirname(CLI), "deploy/backup/healthtech-backup.sh"), "restore-redis", rdbs[0], rdb_out],
                       capture_output=True, text=True, env=ENV)
    magic = b""
    if os.path.exists(rdb_out):
        with open(rdb_out, "rb") as f:
            magic = f.read(5)
    report("the Redis backup decrypts to an RDB file", r.returncode == 0 and magic == b"REDIS", r.stderr or magic)

    # 2. Changes after the backup; then the database is destroyed.
    after = f"drill-after-{uuid.uuid4().hex[:8]}@example.com"
    register(after)
    report("a user registered after the backup can sign in before the disaster", login(after).status_code == 200)
    psql("DROP DATABASE healthtech WITH (FORCE)", DB.rsplit("/", 1)[0] + "/postgres")
    report("the database is gone (sign-in fails)", login(before[0]).status_code >= 500)

    # 3. A wrong key is refused and changes nothing.
    r = cli("restore", dump, env=dict(ENV, BACKUP_ENCRYPTION_KEY="wrong-key-" + "x" * 40))
    report("restore with a wrong key is refused with a clear message", r.returncode != 0 and "cannot be read" in r.stderr, r.stderr[-500:])

    # 4. Restore (services left stopped, so nothing writes before the comparison), timed.
    t0 = time.monotonic()
    r = cli("restore", "--no-start", dump)
    restore_seconds = time.monotonic() - t0
    if not report("./healthtech restore --no-start completes", r.returncode == 0, r.stderr[-1500:]):
        return
    restored = snapshot()
    diff = [t for t in sorted(set(expected) | set(restored)) if expected.get(t) != restored.get(t)]
    report(f"every table is back row for row ({len(restored)} tables, count + md5 equal to the backup)", not diff and len(restored) > 0, diff[:10])
    t1 = time.monotonic()
    r = cli("up")
    restart_seconds = time.monotonic() - t1
    if not report("the services start on the restored database and the platform is ready", r.returncode == 0 and requests.get(f"{BFF}/ready", timeout=10).status_code == 200, r.stderr[-1500:]):
        return
    ok = all(login(e).status_code == 200 for e in before)
    report("every user from before the backup signs in through the API", ok)
    me = requests.get(f"{BFF}/v1/me", headers={"Authorization": f"Bearer {tokens[before[0]]}"}, timeout=10)
    report("an access token issued before the backup is still valid (signing keys restored)", me.status_code == 200 and me.json().get("email") == before[0], me.text[:300])
    report("the user registered after the backup is not there (restored to the backup, not later)", login(after).status_code == 401)

    # 5. Retention: an old file goes, the new ones stay.
    old = os.path.join(BACKUP_DIR, "postgres", "healthtech_20000101T000000Z.dump.enc")
    with open(old, "wb") as f:
        f.write(b"old")
    past = time.time() - 40 * 86400
    os.utime(old, (past, past))
    r = cli("backup", env=dict(ENV, BACKUP_RETENTION_DAYS="30"))
    kept = [f for f in os.listdir(os.path.join(BACKUP_DIR, "postgres")) if f.endswith(".dump.enc")]
    report("retention removes backups older than BACKUP_RETENTION_DAYS and keeps the recent ones",
           r.returncode == 0 and not os.path.exists(old) and len(kept) >= 2, r.stderr + str(kept))

    print(f"# backup took {backup_seconds:.2f} s, restore (stop, recreate, restore) {restore_seconds:.2f} s, restart to ready {restart_seconds:.2f} s")


try:
    main()
except Exception as e:  # a crash is a failure, never a silent pass
    report("recovery drill ran to the end", False, repr(e))
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(0 if results["failed"] == 0 and results["passed"] > 0 else 1)
