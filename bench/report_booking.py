#!/usr/bin/python3
"""Parse the raw outputs of bench/booking.sh, print the table and targets, write the JSON.

usage: report_booking.py RAW_DIR OUT_JSON META_JSON

RAW_DIR holds booking.json (bench/load_booking.py book), pgbench.txt (the service's booking
statements), pgbench_minimal.txt (the minimal booking), slots.txt (wrk --latency) and the
pgbench scripts booking.sql and minimal.sql. META_JSON is
a JSON string with the run's settings, copied into the result file.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import fmt_ms, fmt_rps, parse_pgbench, parse_wrk, pgbench_row, print_table, wrk_row  # noqa: E402

BOOKING_OVER_PGBENCH_TARGET = 0.5
SLOTS_P99_TARGET_MS = 20.0


def main():
    raw, out_path, meta = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    read = lambda name: open(os.path.join(raw, name), encoding="utf-8").read()
    booking = json.loads(read("booking.json"))
    lag_path = os.path.join(raw, "notify_lag.json")
    r = {
        "notification_lag": json.loads(read("notify_lag.json")) if os.path.exists(lag_path) else None,
        "booking": booking,
        "pgbench_booking": parse_pgbench(read("pgbench.txt")),
        "pgbench_minimal": parse_pgbench(read("pgbench_minimal.txt")),
        "slots": parse_wrk(read("slots.txt")),
    }
    pg_tps = r["pgbench_minimal"]["requests_per_second"]
    service_tps = r["pgbench_booking"]["requests_per_second"]
    created_ps = booking["created_per_second"]
    ratio = created_ps / pg_tps if pg_tps and created_ps is not None else None
    slots_p99 = r["slots"]["p99_ms"]
    targets = {
        "booking_over_pgbench": {"value": ratio, "target": BOOKING_OVER_PGBENCH_TARGET, "ok": ratio is not None and ratio >= BOOKING_OVER_PGBENCH_TARGET},
        "slots_p99_ms": {"value": slots_p99, "target": SLOTS_P99_TARGET_MS, "ok": slots_p99 is not None and slots_p99 < SLOTS_P99_TARGET_MS},
    }

    c = meta.get("clients")
    rows = [
        (f"BFF POST /v1/appointments ({c} clients)", booking["requests_per_second"], fmt_ms(booking["p50_ms"]),
         fmt_ms(booking["p99_ms"]), booking["errors"]),
        pgbench_row(f"pgbench service booking SQL (-M prepared -c{c} -j2)", r["pgbench_booking"]),
        pgbench_row(f"pgbench minimal booking SQL (-M prepared -c{c} -j2)", r["pgbench_minimal"]),
        wrk_row("BFF GET /v1/practitioners/{id}/slots (wrk -t2 -c50)", r["slots"]),
    ]
    print_table(f"HealthTech booking benchmark — {meta.get('timestamp')}, {meta.get('duration_s')} s per measurement, "
                f"commit {meta.get('commit')}", rows)
    print()
    created = ", ".join(f"{k} {v}" for k, v in sorted(booking["created_by_status"].items())) or "none"
    print(f"bookings: {booking['created']} created in {booking['elapsed_s']:.1f} s ({created}), "
          f"{fmt_rps(created_ps)}/s; {booking['free_slots_collected']} free slots of "
          f"{len(booking['practitioners'])} practitioners, {booking['patients']} patients")
    lag = r["notification_lag"]
    if lag:
        print(f"in-app notification after booking, under this load: p50 {lag['p50_ms']} ms, p99 {lag['p99_ms']} ms, "
              f"max {lag['max_ms']} ms ({lag['bookings']} bookings, {lag['missing']} without a notification)")
    if booking["errors_by_code"]:
        print("booking errors: " + ", ".join(f"{k}: {v}" for k, v in booking["errors_by_code"].items()))
    if booking["clients_out_of_slots"]:
        print(f"note: {booking['clients_out_of_slots']} of {c} clients ran out of slots before {meta.get('duration_s')} s "
              "(fewer concurrent clients towards the end; use a shorter DURATION)")
    print()
    print("targets")
    print(f"  {'booking (201/s) / minimal SQL tps':<34} {('-' if ratio is None else f'{ratio:.2f}x'):>9}   (>= {BOOKING_OVER_PGBENCH_TARGET}x)   "
          f"{'ok' if targets['booking_over_pgbench']['ok'] else 'BELOW TARGET'}")
    print(f"  {'slots p99 at 50 connections':<34} {('-' if slots_p99 is None else f'{slots_p99:.2f} ms'):>9}   (< {SLOTS_P99_TARGET_MS:g} ms)  "
          f"{'ok' if targets['slots_p99_ms']['ok'] else 'ABOVE TARGET'}")
    errors = sum(row[4] for row in rows)
    if errors:
        print(f"\nwarning: {errors} error(s)/non-2xx responses — the figures above include them (see {out_path})")

    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    raw_text = {n: read(n) for n in ("pgbench.txt", "pgbench_minimal.txt", "slots.txt", "booking.sql", "minimal.sql")}
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "results": r, "targets": targets, "raw": raw_text}, f, indent=2)
        f.write("\n")
    print(f"\nraw results: {out_path}")


if __name__ == "__main__":
    main()
