#!/usr/bin/python3
"""Writes the two pgbench scripts of bench/booking.sh.

usage: pgbench_booking.py SQL_DIR SERVICE_OUT MINIMAL_OUT

SERVICE_OUT runs what CreateAppointment sends, taken from the service's own statement files
(services/appointment/sql: booking/prepare, slots/list, booking/insert) with their $n
parameters bound to pgbench variables — so the baseline cannot drift from the service.
MINIMAL_OUT is the least a booking can be: one transaction with the caller's identity (for
row-level security), the INSERT checked by the exclusion constraints, and the outbox row.

Both book practitioner k mod P like load_booking.py's client k. The first transaction of a
client looks up that practitioner's ids, zone, fee and one real slot ~30 days ahead (the slot
query looks at it); the INSERTs go to distinct 15-minute times after 2100, so the exclusion
constraints never conflict and cleanup finds them by their keys (bench-pgbench-*).
"""
import os
import re
import sys

SETUP = r"""\set i :client_id % :npr + 1
\if :n = 0
SELECT av.practitioner_id::text AS pr, av.practitioner_user_id::text AS pru, c.facility_id::text AS fac, c.organization_id::text AS org, c.timezone AS tz, c.mode AS mode, extract(epoch FROM c.slot_start)::bigint AS slot, f.fee AS fee, CASE WHEN f.fee > 0 THEN 'pending_payment' ELSE 'booked' END AS status, f.fee > 0 AS hold, f.fee = 0 AS remind FROM appointment.availability av, appointment.candidate_slots(av.practitioner_id, now() + interval '30 days', now() + interval '37 days') c, (SELECT split_part(:fees::text, ',', :i::int)::bigint AS fee) f WHERE av.practitioner_id = split_part(:prs::text, ',', :i::int)::uuid ORDER BY c.slot_start, c.mode LIMIT 1 \gset
\endif
\set n :n + 1
\set k :client_id + :clients * :n
\set t0 :base + :k * 900
\set t1 :t0 + 900
\set sfrom :slot - 1
\set sto :slot + 1
BEGIN;
SELECT set_config('app.subject_id', gen_random_uuid()::text, true) AS pid, set_config('app.roles', '', true) AS roles, 'bench-pgbench-' || :k::text AS key \gset
"""

# The service's parameters, in order, as pgbench variables or literals.
BINDINGS = {
    "booking/prepare": [":pr", ":t0", ":pid", ":key"],
    "slots/list": [":pr", ":sfrom", ":sto", ":mode", ":fac"],
    "booking/insert": [":pid", ":pr", ":pru", ":org", ":fac", ":mode", ":t0", ":t1", ":t0", ":t1",
                       ":tz", ":status", "''", ":fee", "'INR'", "false", "true", ":hold", "15",
                       ":key", "'0000000000000000000000000000000000000000000000000000000000000000'",
                       "'bench.appointment.booked'", """'{"bench": true}'""", ":remind",
                       "'127.0.0.1'", ":key",
                       # the details the service writes (who and where), at their usual size
                       """'{"practitioner_name": "Dr. Meera Iyer", "practitioner_specialty": "cardiology", """
                       """"facility_name": "Sunrise MG Road", "facility_address": {"line1": "12 MG Road", """
                       """"line2": "", "city": "Bengaluru", "state": "Karnataka", "pincode": "560001", """
                       """"country": "IN"}, "facility_phone": "+918041234567", "organization_name": "Sunrise"}'"""],
}


def statement(sql_dir, name):
    text = open(os.path.join(sql_dir, name + ".sql"), encoding="utf-8").read()
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    values = BINDINGS[name]
    used = {int(n) for n in re.findall(r"\$(\d+)", body)}
    if used != set(range(1, len(values) + 1)):
        sys.exit(f"{name}.sql takes parameters {sorted(used)}, the bench binds {len(values)}: update BINDINGS")
    body = re.sub(r"\$(\d+)", lambda m: values[int(m.group(1)) - 1], body)
    return " ".join(body.split()) + ";\n"


def main():
    sql_dir, service_out, minimal_out = sys.argv[1:4]
    with open(service_out, "w", encoding="utf-8") as f:
        f.write(SETUP)
        for name in ("booking/prepare", "slots/list", "booking/insert"):
            f.write(statement(sql_dir, name))
        f.write("COMMIT;\n")
    with open(minimal_out, "w", encoding="utf-8") as f:
        f.write(SETUP)
        f.write("INSERT INTO appointment.appointments (patient_id, practitioner_id, practitioner_user_id, "
                "organization_id, facility_id, mode, start_at, end_at, block_start, block_end, timezone, "
                "status, reason, fee_minor, currency, idempotency_key, request_hash) VALUES (:pid::uuid, "
                ":pr::uuid, :pru::uuid, :org::uuid, :fac::uuid, :mode, to_timestamp(:t0), to_timestamp(:t1), "
                "to_timestamp(:t0), to_timestamp(:t1), :tz, :status, '', :fee, 'INR', :key, '') "
                "RETURNING id::text AS aid \\gset\n")
        f.write("INSERT INTO appointment.outbox (event_id, event_type, aggregate_id, payload) VALUES "
                "(gen_random_uuid(), 'bench.appointment.booked', :aid, '{\"bench\": true}');\n")
        f.write("COMMIT;\n")


if __name__ == "__main__":
    main()
