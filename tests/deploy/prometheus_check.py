#!/usr/bin/env python3
"""Prometheus (Debian's, started by ./healthtech with the platform's rules) scraping the
running test stack: every target is up, grpc_requests_total of every service is present
and increases with traffic, the BFF's http_requests_total too, every alert rule evaluates
without error on the real series, and every PromQL expression of the Grafana dashboards
(deploy/monitoring/grafana/dashboards) and the alert rules evaluates without error, every
metric it names being one the stack exposes, and a traced request's trace id is the exemplar
of its latency buckets (scraped as OpenMetrics). Env: PROMETHEUS_URL, BFF_URL.
Prints "ok - ..." lines and "N passed, M failed"."""
import json
import os
import pathlib
import re
import sys
import time
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROM = os.environ["PROMETHEUS_URL"]
BFF = os.environ["BFF_URL"]
SERVICES = ["iam", "org", "appointment", "payment", "notification", "forum", "uhi"]
res = {"passed": 0, "failed": 0}


def report(name, ok, detail=""):
    res["passed" if ok else "failed"] += 1
    print(("ok - " if ok else "not ok - ") + name + ("" if ok or not detail else "\n    " + str(detail)[:1500]))


def api(path, **params):
    url = f"{PROM}/api/v1/{path}" + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=10) as r:
        body = json.load(r)
    assert body["status"] == "success", body
    return body["data"]


def by_service(expr):
    return {r["metric"].get("service", ""): float(r["value"][1]) for r in api("query", query=expr)["result"]}


# Words of PromQL that are not metric names.
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
                "unless", "offset", "inf", "nan", "le"}


def metric_names(expr):
    """The metric names an expression reads: identifiers outside label matchers, grouping
    clauses, strings and ranges, not called as functions."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)                      # strings
    e = re.sub(r"\{[^}]*\}", "", e)                                     # label matchers
    e = re.sub(r"\[[^\]]*\]", "", e)                                   # ranges
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", e)
    names = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", e):
        word = m.group(0)
        if e[m.end():].lstrip().startswith("(") or word.lower() in PROMQL_WORDS:
            continue
        if m.start() > 0 and (e[m.start() - 1].isdigit() or e[m.start() - 1] == "."):
            continue  # a unit or exponent of a number (5m, 1e3)
        names.add(word)
    return names


def dashboard_exprs():
    """(where, expression) for every panel target of every dashboard, its variables set."""
    out = []
    for f in sorted((ROOT / "deploy/monitoring/grafana/dashboards").glob("*.json")):
        def walk(o, title=""):
            if isinstance(o, dict):
                title = o.get("title", title)
                if isinstance(o.get("expr"), str):
                    out.append((f"{f.name}: {title}", o["expr"]))
                for v in o.values():
                    walk(v, title)
            elif isinstance(o, list):
                for v in o:
                    walk(v, title)
        walk(json.loads(f.read_text()))
    values = {"$service": "appointment-service", "${service}": "appointment-service",
              "$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h"}
    for i, (where, expr) in enumerate(out):
        for k, v in values.items():
            expr = expr.replace(k, v)
        out[i] = (where, expr)
    return out


def traffic():
    for path in ["/ready", "/ready", "/v1/practitioners?q=a", "/v1/openapi.json", "/.well-known/jwks.json"]:
        try:
            urllib.request.urlopen(BFF + path, timeout=10).read()
        except Exception:
            pass


try:
    deadline = time.time() + 30
    while True:
        targets = api("targets")["activeTargets"]
        down = [t["labels"].get("service") for t in targets if t["health"] != "up"]
        if (len(targets) == len(SERVICES) + 1 and not down) or time.time() > deadline:
            break
        time.sleep(0.5)
    report(f"Prometheus scrapes all {len(SERVICES) + 1} services (the BFF and {len(SERVICES)} gRPC) and every target is up "
           f"({len(targets)} targets)", len(targets) == len(SERVICES) + 1 and not down, down)

    traffic()
    time.sleep(2.5)
    before = by_service("sum by (service) (grpc_requests_total)")
    report("grpc_requests_total is present for every gRPC service",
           all(f"{s}-service" in before for s in SERVICES), before)
    http_before = by_service("sum(http_requests_total)").get("", 0)
    for _ in range(3):
        traffic()
    time.sleep(2.5)
    after = by_service("sum by (service) (grpc_requests_total)")
    grown = [s for s in SERVICES if after.get(f"{s}-service", 0) > before.get(f"{s}-service", 0)]
    report("grpc_requests_total increases with traffic for every service", len(grown) == len(SERVICES),
           {"before": before, "after": after})
    http_after = by_service("sum(http_requests_total)").get("", 0)
    report("the BFF's http_requests_total increases with traffic", http_after > http_before, (http_before, http_after))

    groups = api("rules")["groups"]
    rules = [r for g in groups for r in g["rules"]]
    bad = [(r["name"], r.get("lastError")) for r in rules if r.get("health") != "ok"]
    alerts = [r for r in rules if r["type"] == "alerting"]
    report(f"the platform's alert rules are loaded and evaluate on the real series ({len(alerts)} alerts, {len(rules) - len(alerts)} recording rules)",
           len(alerts) >= 9 and not bad, bad)
    firing = [a["labels"]["alertname"] for a in api("alerts")["alerts"] if a["labels"]["alertname"] == "ServiceDown"]
    report("ServiceDown is not pending or firing for the healthy stack", not firing, firing)

    # Every expression a person or an alert will read: it evaluates, and it reads metrics the
    # stack exposes (a typo in a name evaluates to nothing, silently, forever).
    # Recording rules' outputs count as exposed (an error ratio has no series until an error).
    exposed = set(api("label/__name__/values")) | {r["name"] for r in rules if r["type"] == "recording"}
    exprs = dashboard_exprs() + [(f"alert rule {r['name']}", r["query"]) for r in rules]
    broken, unknown = [], []
    for where, expr in exprs:
        try:
            api("query", query=expr)
        except Exception as e:  # a 400 from Prometheus: the expression does not parse
            broken.append((where, expr, str(e)[:200]))
        missing = sorted(n for n in metric_names(expr) if n not in exposed)
        if missing:
            unknown.append((where, missing))
    report(f"every dashboard and alert expression evaluates ({len(exprs)} expressions)", not broken, broken)
    report("every metric a dashboard or an alert reads is exposed by the running stack", not unknown, unknown)

    # Exemplars: a traced request (the test stack samples every one) is the exemplar of the BFF's and
    # org-service's latency buckets it fell in, so a spike on a dashboard links to a trace.
    start = time.time()
    with urllib.request.urlopen(BFF + "/v1/practitioners?q=exemplar", timeout=10) as r:
        r.read()
        trace_id = r.headers.get("traceresponse", "")[3:35]  # the trace the request became
    found = {}
    deadline = time.time() + 20
    while time.time() < deadline and len(found) < 2:
        for metric in ("http_request_duration_seconds_bucket", "grpc_request_duration_seconds_bucket"):
            for series in api("query_exemplars", query=metric, start=start - 60, end=time.time() + 60):
                if any(e["labels"].get("trace_id") == trace_id for e in series["exemplars"]):
                    found[metric] = series["seriesLabels"].get("service", series["seriesLabels"].get("route"))
        time.sleep(0.5)
    report("a traced request's trace id is the exemplar of the BFF's and the service's latency buckets",
           set(found) == {"http_request_duration_seconds_bucket", "grpc_request_duration_seconds_bucket"}, found)
except Exception as e:  # never a silent pass
    report("Prometheus checks ran to the end", False, repr(e))
print(f"{res['passed']} passed, {res['failed']} failed")
sys.exit(0 if res["failed"] == 0 else 1)
