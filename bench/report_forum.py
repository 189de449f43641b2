#!/usr/bin/python3
"""Parse the raw outputs of bench/forum.sh, print the table and ratios, write the JSON.

usage: report_forum.py RAW_DIR OUT_JSON META_JSON

RAW_DIR holds search.txt and thread.txt (wrk --latency) and pgbench_search.txt,
pgbench_thread.txt (the same SQL in pgbench). META_JSON is a JSON string with the run's
settings, copied into the result file.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import parse_pgbench, parse_wrk, pgbench_row, print_table, wrk_row  # noqa: E402


def main():
    raw, out_path, meta = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    read = lambda name: open(os.path.join(raw, name), encoding="utf-8").read()
    r = {
        "search": parse_wrk(read("search.txt")),
        "pgbench_search": parse_pgbench(read("pgbench_search.txt")),
        "thread": parse_wrk(read("thread.txt")),
        "pgbench_thread": parse_pgbench(read("pgbench_thread.txt")),
    }
    ratio = lambda a, b: (a / b) if a and b else None
    ratios = {
        "search_api_over_sql": ratio(r["search"]["requests_per_second"], r["pgbench_search"]["requests_per_second"]),
        "thread_api_over_sql": ratio(r["thread"]["requests_per_second"], r["pgbench_thread"]["requests_per_second"]),
    }
    c = meta.get("clients")
    rows = [
        wrk_row(f"BFF GET /v1/forum/search (wrk -t2 -c{c})", r["search"]),
        pgbench_row(f"pgbench search SQL (-M prepared -c{c} -j2)", r["pgbench_search"]),
        wrk_row(f"BFF GET /v1/forum/threads/{{id}} (wrk -t2 -c{c})", r["thread"]),
        pgbench_row(f"pgbench thread-view SQL (-M prepared -c{c} -j2)", r["pgbench_thread"]),
    ]
    print_table(f"HealthTech forum benchmark — {meta.get('timestamp')}, {meta.get('duration_s')} s per measurement, "
                f"commit {meta.get('commit')}, {meta.get('forum_posts'):,} posts", rows)
    print()
    for k, v in ratios.items():
        print(f"{k}: {'-' if v is None else f'{v:.2f}x'}")
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "results": r, "ratios": ratios}, f, indent=2)
    print(f"\nraw results: {out_path}")


if __name__ == "__main__":
    main()
