#!/usr/bin/env python3
"""Failover drill (issue 18), against a stack started with `./healthtech up --ha` (the
`./healthtech drill failover` command starts a throwaway one and runs this).

Under booking load through the BFF, the PostgreSQL leader's node is lost: its Patroni, its
postmaster and every backend are killed with -9 at once, as when the machine dies. Then:

- the synchronous standby is the new leader within 30 s (Patroni: the leader key expires);
- every booking acknowledged (201) before, during and after the kill is stored and booked,
  none twice, none that nobody was told of (clients retry with the same Idempotency-Key);
- bookings succeed again without any service being restarted (each service's pool drops its
  broken connections; libpq's multi-host URL with target_session_attrs=read-write finds the
  new leader);
- the lost node, started again, rejoins as the synchronous standby (pg_rewind).

Figures (time to a new leader, time until bookings succeed again, attempts that failed) are
printed as comments; only outcomes are asserted. Output: "ok"/"not ok" lines, then
"N passed, M failed".

Environment: BFF_URL, HEALTHTECH_DATA, TEST_DATABASE_URL (both nodes, read-write),
PATRONI_URLS (node=url,...), HA_DIR (the nodes' directories), HEALTHTECH_CLI.
"""
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid

import requests

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
os.environ.setdefault("GATEWAY_URL", "http://127.0.0.1:9")  # fault_drill reads it; unused here
from conftest import Api, grant_admin  # noqa: E402
from fault_drill import check, clinic, patients, results, slot_cursor, sql  # noqa: E402

BASE = os.environ["BFF_URL"]
DATA = os.environ["HEALTHTECH_DATA"]
HA_DIR = os.environ["HA_DIR"]
PATRONI = dict(kv.split("=", 1) for kv in os.environ["PATRONI_URLS"].split(",") if kv)
SERVICES = ["iam", "org", "appointment", "payment", "notification", "forum", "uhi", "bff"]
random.seed(1207)


def members():
    """The cluster as any answering Patroni sees it: {name: member}."""
    for url in PATRONI.values():
        try:
            r = requests.get(url + "/cluster", timeout=1)
            if r.status_code == 200:
                return {m["name"]: m for m in r.json().get("members", [])}
        except requests.RequestException:
            continue
    return {}


def role_of(node):
    try:
        return requests.get(PATRONI[node] + "/patroni", timeout=1).json().get("role", "")
    except (requests.RequestException, ValueError):
        return ""


def pids_of_node(node):
    """Patroni's pid, the postmaster's, and every child of the postmaster."""
    pids = []
    try:
        pids.append(int(open(os.path.join(DATA, "run", f"patroni{node[-1]}.pid")).read()))
    except (OSError, ValueError):
        pass
    try:
        postmaster = int(open(os.path.join(HA_DIR, node, "data", "postmaster.pid")).readline())
        pids.append(postmaster)
        out = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout
        pids += [int(p) for p in out.split()]
    except (OSError, ValueError):
        pass
    return pids


def service_pids():
    out = {}
    for s in SERVICES:
        try:
            out[s] = (int(open(os.path.join(DATA, "run", f"{s}.pid")).read()),
                      open(os.path.join(DATA, "run", f"{s}.restarts")).read().strip())
        except (OSError, ValueError):
            out[s] = None
    return out


def main():
    api = Api(BASE)
    admin = api.register(name="Failover Admin")
    grant_admin(admin.email)
    api.login(admin)
    prof, fac, slots = clinic(api, admin, name="Dr. Failover")
    people = patients(api, 6)
    random.shuffle(slots)

    cluster = members()
    leader = next((n for n, m in cluster.items() if m["role"] == "leader"), None)
    standby = next((n for n, m in cluster.items() if m["role"] == "sync_standby"), None)
    check(leader and standby, f"a leader and a synchronous standby before the drill ({json.dumps(cluster)})")
    if not (leader and standby):
        return finish()
    before = service_pids()

    lock = threading.Lock()
    acknowledged = {}  # idempotency key -> (appointment id, acknowledged at)
    attempts = []      # (started, finished, outcome) of every request sent
    gave_up = [0]
    stop = threading.Event()
    next_slot = slot_cursor(slots)

    def book(person):
        """A careful client: retries failures with the same Idempotency-Key for up to 60 s."""
        slot = next_slot()
        if slot is None:
            return False
        key = str(uuid.uuid4())
        body = json.dumps({"practitioner_id": prof["id"], "facility_id": fac["id"], "start": slot["start"],
                           "mode": slot["mode"]})
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {person.access}",
                   "Idempotency-Key": key}
        deadline = time.time() + 60
        while time.time() < deadline:
            t0 = time.time()
            try:
                r = requests.post(BASE + "/v1/appointments", data=body, headers=headers, timeout=15)
                outcome = r.status_code
            except requests.RequestException as e:
                r, outcome = None, type(e).__name__
            with lock:
                attempts.append((t0, time.time(), outcome))
                if r is not None and r.status_code == 201:
                    acknowledged[key] = (r.json()["id"], time.time())
            if r is not None and r.status_code < 500:
                return True
            time.sleep(0.2)
        with lock:
            gave_up[0] += 1
        return True

    def load(k):
        while not stop.is_set() and book(people[k]):
            pass

    threads = [threading.Thread(target=load, args=(k,)) for k in range(len(people))]
    for t in threads:
        t.start()
    time.sleep(3)

    # Under load, at the moment of the kill, the standby confirms every commit (what makes
    # "nothing acknowledged is lost" true, rather than luck on a fast loopback).
    replication = sql("SELECT string_agg(application_name || '=' || sync_state, ',') FROM pg_stat_replication")
    check(f"{standby}=sync" in replication.split(","),
          f"the leader replicates synchronously to the standby under load ({replication})")
    victims = pids_of_node(leader)
    t_kill = time.time()
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    print(f"# killed {leader} (the leader): {len(victims)} processes (Patroni, postmaster, backends)")

    t_leader = None
    while time.time() < t_kill + 60:
        m = members().get(standby)
        if m and m["role"] == "leader" and m.get("state") == "running" and role_of(standby) in ("master", "primary"):
            t_leader = time.time()
            break
        time.sleep(0.1)
    # Keep booking until bookings have gone through again for a while.
    resumed = None
    while time.time() < t_kill + 90:
        with lock:
            after = [a for a in attempts if a[0] > t_kill and a[2] == 201]
        if after and resumed is None:
            resumed = min(a[1] for a in after)
        if resumed is not None and time.time() > resumed + 5:
            break
        time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join(timeout=120)

    failed = [a for a in attempts if a[2] not in (201, 409)]
    outcomes = {}
    for a in failed:
        outcomes[str(a[2])] = outcomes.get(str(a[2]), 0) + 1
    late = sum(1 for _, at in acknowledged.values() if at > (t_leader or t_kill))
    print(f"# new leader {standby} {t_leader - t_kill:.1f} s after the kill" if t_leader else "# no new leader")
    if resumed:
        print(f"# first booking acknowledged {resumed - t_kill:.1f} s after the kill")
    span = (f", answered between {min(a[1] for a in failed) - t_kill:+.1f} s and "
            f"{max(a[1] for a in failed) - t_kill:+.1f} s from the kill") if failed else ""
    print(f"# requests sent: {len(attempts)}; failed attempts: {len(failed)} ({outcomes}){span}; "
          f"clients that gave up: {gave_up[0]}")
    print(f"# bookings acknowledged: {len(acknowledged)}, {late} of them after the new leader took over")

    check(t_leader is not None and t_leader - t_kill <= 30,
          f"the standby is the leader within 30 s of the kill "
          f"({'%.1f s' % (t_leader - t_kill) if t_leader else 'not within 60 s'})")
    check(late >= 5, f"bookings succeed again after the failover ({late} acknowledged after it)")
    ids = [a for a, _ in acknowledged.values()]
    stored = sql("SELECT count(*) FROM appointment.appointments WHERE id = ANY('{%s}'::uuid[]) AND status = 'booked'"
                 % ",".join(ids)) if ids else "0"
    check(ids and int(stored) == len(ids),
          f"every acknowledged booking is stored and booked on the new leader ({stored}/{len(ids)}): data lost = "
          f"{len(ids) - int(stored)}")
    dups = sql(f"SELECT count(*) FROM (SELECT start_at FROM appointment.appointments WHERE practitioner_id = "
               f"'{prof['id']}' AND status IN ('booked', 'pending_payment') GROUP BY start_at HAVING count(*) > 1) d")
    check(dups == "0", "no slot was booked twice")
    extra = sql(f"SELECT count(*) FROM appointment.appointments WHERE practitioner_id = '{prof['id']}' AND "
                f"status = 'booked'")
    check(int(extra) == len(ids), f"no booking exists that was not acknowledged ({extra} stored, {len(ids)} acknowledged)")
    after = service_pids()
    moved = [s for s in SERVICES if before[s] != after[s]]
    check(not moved, f"no service was restarted (pids and restart counts unchanged{': ' + ', '.join(moved) if moved else ''})")
    check(requests.get(BASE + "/ready", timeout=5).status_code == 200, "/ready is green after the failover")

    # The lost node comes back: Patroni rewinds it and it follows the new leader.
    t_back = time.time()
    cli = os.environ.get("HEALTHTECH_CLI")
    if cli:
        subprocess.run([cli, "_ha-node-start", leader[-1]], capture_output=True, text=True, timeout=60)
    rejoined = None
    while time.time() < t_back + 90:
        m = members().get(leader)
        if m and m["role"] == "sync_standby" and m.get("state") in ("running", "streaming"):
            rejoined = time.time() - t_back
            break
        time.sleep(0.5)
    if rejoined is not None:
        print(f"# {leader} rejoined as the synchronous standby {rejoined:.1f} s after it was started again")
    check(rejoined is not None, f"the lost node rejoins as the synchronous standby ({json.dumps(members())})")
    return finish()


def finish():
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if results and all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
