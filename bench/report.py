#!/usr/bin/python3
"""Parse the raw outputs of bench/run.sh, print the table and ratios, write the JSON.

usage: report.py RAW_DIR OUT_JSON META_JSON

RAW_DIR holds nginx.txt, health.txt, me.txt, login.txt (wrk --latency), pgbench.txt
and argon2.json (Google Benchmark --benchmark_format=json). META_JSON is a JSON string
with the run's settings (duration, limits, commit, ...), copied into the result file.
"""
import json
import os
import re
import sys

UNIT_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def to_ms(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text.strip())
    if not m:
        raise ValueError(f"cannot read a duration from {text!r}")
    return float(m.group(1)) * UNIT_MS[m.group(2)]


def parse_wrk(text):
    rps = re.search(r"^Requests/sec:\s+([0-9.]+)", text, re.M)
    if not rps:
        raise ValueError("no 'Requests/sec' line in wrk output")
    out = {"requests_per_second": float(rps.group(1))}
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M)
        out[f"p{pct}_ms"] = to_ms(m.group(1)) if m else None
    total = re.search(r"^\s+(\d+) requests in", text, re.M)
    out["requests"] = int(total.group(1)) if total else None
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    out["socket_errors"] = sum(int(g) for g in sock.groups()) if sock else 0
    return out


def parse_pgbench(text):
    tps = re.search(r"^tps = ([0-9.]+) \(without initial connection time\)", text, re.M)
    if not tps:
        raise ValueError("no 'tps = N (without initial connection time)' line in pgbench output")
    lat = re.search(r"^latency average = ([0-9.]+) ms", text, re.M)
    failed = re.search(r"^number of failed transactions: (\d+)", text, re.M)
    done = re.search(r"^number of transactions actually processed: (\d+)", text, re.M)
    return {
        "requests_per_second": float(tps.group(1)),
        "latency_average_ms": float(lat.group(1)) if lat else None,
        "transactions": int(done.group(1)) if done else None,
        "failed": int(failed.group(1)) if failed else 0,
    }


def parse_argon2(text):
    data = json.loads(text)
    out = {}
    for b in data.get("benchmarks", []):
        if b.get("error_occurred"):
            raise ValueError(f"{b['name']}: {b.get('error_message')}")
        out[f"threads_{b['threads']}"] = {
            "verifications_per_second": b["items_per_second"],
            "ms_per_verification_per_thread": b["real_time"] * b["threads"]
            if b.get("time_unit") == "ms" else None,
            "iterations": b["iterations"],
            "label": b.get("label", ""),
        }
    if "threads_2" not in out:
        raise ValueError("argon2_bench reported no 2-thread figure")
    out["context"] = {k: data.get("context", {}).get(k) for k in ("num_cpus", "mhz_per_cpu", "library_build_type")}
    return out


# ---------------------------------------------------------------- the table, for every report


def fmt_rps(v):
    return "-" if v is None else (f"{v:,.0f}" if v >= 1000 else f"{v:,.1f}")


def fmt_ms(v):
    return "-" if v is None else f"{v:.2f}"


def wrk_row(name, w):
    """A table row of a wrk run (parse_wrk)."""
    return (name, w["requests_per_second"], fmt_ms(w["p50_ms"]), fmt_ms(w["p99_ms"]),
            w["non_2xx"] + w["socket_errors"])


def pgbench_row(name, p):
    """A table row of a pgbench run (parse_pgbench): its average latency, no percentiles."""
    return (name, p["requests_per_second"], fmt_ms(p["latency_average_ms"]) + " avg", "-", p["failed"])


def print_table(title, rows):
    """Prints the title and rows of (name, requests/s, p50 text, p99 text, errors)."""
    width = max([len("name")] + [len(row[0]) for row in rows]) + 1
    print()
    print(title)
    print(f"{'name':<{width}} {'requests/s':>12} {'p50 ms':>11} {'p99 ms':>9} {'errors':>7}")
    print("-" * (width + 43))
    for name, rps, p50, p99, err in rows:
        print(f"{name:<{width}} {fmt_rps(rps):>12} {p50:>11} {p99:>9} {err:>7}")


def main():
    raw, out_path, meta = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    read = lambda name: open(os.path.join(raw, name), encoding="utf-8").read()
    r = {
        "nginx": parse_wrk(read("nginx.txt")),
        "health": parse_wrk(read("health.txt")),
        "beast": parse_wrk(read("beast.txt")),
        "me": parse_wrk(read("me.txt")),
        "pgbench_me": parse_pgbench(read("pgbench.txt")),
        "login": parse_wrk(read("login.txt")),
        "argon2id": parse_argon2(read("argon2.json")),
    }
    a1 = r["argon2id"].get("threads_1", {}).get("verifications_per_second")
    a2 = r["argon2id"]["threads_2"]["verifications_per_second"]

    def ratio(a, b):
        return a / b if b else None

    ratios = {
        "health_over_nginx": {"value": ratio(r["health"]["requests_per_second"], r["nginx"]["requests_per_second"]), "target": 1.0},
        "health_over_beast": {"value": ratio(r["health"]["requests_per_second"], r["beast"]["requests_per_second"]), "target": 0.9},
        "me_over_pgbench": {"value": ratio(r["me"]["requests_per_second"], r["pgbench_me"]["requests_per_second"]), "target": 0.3},
        "login_over_argon2id_2t": {"value": ratio(r["login"]["requests_per_second"], a2), "target": 0.8},
    }

    m = meta
    rows = [
        wrk_row("nginx static JSON (1 worker, wrk -t1 -c32)", r["nginx"]),
        wrk_row("bare Beast responder (bench/http_baseline.cc)", r["beast"]),
        wrk_row("BFF GET /health (wrk -t1 -c32)", r["health"]),
        wrk_row("BFF GET /v1/me (wrk -t2 -c16)", r["me"]),
        pgbench_row("pgbench /v1/me SELECTs (-M prepared -c16 -j2)", r["pgbench_me"]),
        wrk_row("BFF POST /v1/auth/login (wrk -t2 -c8)", r["login"]),
        ("argon2id verify, 1 thread", a1, "-", "-", 0),
        ("argon2id verify, 2 threads", a2, "-", "-", 0),
    ]
    print_table(f"HealthTech benchmark — {m.get('timestamp')}, {m.get('duration_s')} s per measurement, "
                f"commit {m.get('commit')}", rows)
    print()
    print("ratios (target)")
    labels = {
        "health_over_nginx": "BFF /health / nginx",
        "health_over_beast": "BFF /health / bare Beast",
        "me_over_pgbench": "/v1/me / pgbench SELECTs",
        "login_over_argon2id_2t": "login / raw argon2id (2 threads)",
    }
    for key, v in ratios.items():
        val = v["value"]
        verdict = "-" if val is None else ("ok" if val >= v["target"] else "BELOW TARGET")
        print(f"  {labels[key]:<34} {('-' if val is None else f'{val:.2f}x'):>8}   (>= {v['target']}x)  {verdict}")
    errors = sum(row[4] for row in rows)
    if errors:
        print(f"\nwarning: {errors} error(s)/non-2xx responses — the figures above include them (see {out_path})")

    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    raw_text = {n: read(n) for n in ("nginx.txt", "beast.txt", "health.txt", "me.txt", "login.txt", "pgbench.txt")}
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "results": r, "ratios": ratios, "raw": raw_text}, f, indent=2)
        f.write("\n")
    print(f"\nraw results: {out_path}")


if __name__ == "__main__":
    main()
