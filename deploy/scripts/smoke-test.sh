#!/usr/bin/env bash
# smoke-test.sh BASE_URL — the platform answers through its public entry: liveness,
# readiness (every upstream and Redis), the OpenAPI document, the JWKS, a public search,
# and a clean RFC 9457 error for bad input. Used by deploy.sh after every deployment and by
# the container smoke test. Exit status 0 only if every check passes.
set -uo pipefail
B="${1:?usage: smoke-test.sh BASE_URL}"
fail=0
pass=0
check() {  # check NAME EXPECTED_STATUS CURL_ARGS...
  local name="$1" want="$2"; shift 2
  local got; got=$(curl -sS -o /tmp/smoke.$$ -w '%{http_code}' --max-time 10 "$@" 2>/dev/null || echo 000)
  if [ "$got" = "$want" ]; then echo "ok - $name"; pass=$((pass + 1)); else echo "not ok - $name (HTTP $got, want $want)"; fail=$((fail + 1)); fi
}
check "liveness /health" 200 "$B/health"
check "readiness /ready" 200 "$B/ready"
check "OpenAPI document" 200 "$B/v1/openapi.json"
check "JWKS" 200 "$B/.well-known/jwks.json"
check "public practitioner search" 200 "$B/v1/practitioners?q=a"
check "bad input is a 400 problem" 400 -X POST "$B/v1/auth/register" -H 'Content-Type: application/json' -d '{"email":"not-an-email"}'
if grep -q '"code":"VALIDATION_FAILED"' /tmp/smoke.$$; then echo "ok - the 400 is an RFC 9457 problem"; pass=$((pass + 1)); else echo "not ok - the 400 is not the platform's problem shape"; fail=$((fail + 1)); fi
rm -f /tmp/smoke.$$
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
