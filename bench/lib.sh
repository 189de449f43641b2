# shellcheck shell=bash
# bench/lib.sh — what the benchmarks share (sourced, not run): messages, the restart of the
# local stack with raised limits, and putting the stack back as it was afterwards.
#
# Before sourcing, set ROOT (the checkout) and BFF (its URL); the stack helpers also need
# TMP (the script's scratch directory, which holds healthtech.log).

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

ready() { curl -fsS -o /dev/null "$BFF/ready" 2>/dev/null; }

stack_down() { "$ROOT/healthtech" down >>"$TMP/healthtech.log" 2>&1 || true; }

stack_up() {  # extra VAR=value arguments go to `./healthtech up`
  if ! env "$@" "$ROOT/healthtech" up >>"$TMP/healthtech.log" 2>&1; then
    tail -n 20 "$TMP/healthtech.log" >&2
    die "./healthtech up failed (log above)"
  fi
}

# The BFF's rate limits raised to RAISED_LIMIT (BENCH_RAISED_LIMIT, default 1000000), so the
# benchmark measures the platform, not its limiter. Scripts append their own settings.
RAISED_LIMIT="${BENCH_RAISED_LIMIT:-1000000}"
LIMITS=(RATE_LIMIT_IP_PER_SECOND="$RAISED_LIMIT" RATE_LIMIT_IP_BURST="$RAISED_LIMIT"
        RATE_LIMIT_USER_PER_SECOND="$RAISED_LIMIT" RATE_LIMIT_USER_BURST="$RAISED_LIMIT")
WAS_RUNNING=0
RESTARTED=0

# Restarts (or starts) the stack with LIMITS and waits until it is ready; then reads the
# stack's secrets (database passwords) into the environment.
bench_restart_stack() {
  if ready; then WAS_RUNNING=1; fi
  say "raising limits for the benchmark: ${LIMITS[*]}"
  say "$([ "$WAS_RUNNING" -eq 1 ] && echo "restarting the running stack" || echo "starting the stack"): ./healthtech down; ${LIMITS[*]} ./healthtech up"
  RESTARTED=1
  stack_down   # also clears a half-stopped stack (e.g. PostgreSQL left running by `down` as root)
  stack_up "${LIMITS[@]}"
  ready || die "the stack is not ready at $BFF"
  # shellcheck disable=SC1091
  # shellcheck disable=SC1091
  set -a; . "${HEALTHTECH_DATA:-$ROOT/.data}/secrets.env"; set +a
}

# For the EXIT trap: a stack that was running before is restarted with the caller's own
# environment; one this benchmark started is stopped. $1 names the script in the message.
bench_restore_stack() {
  [ "$RESTARTED" -eq 1 ] || return 0
  if [ "$WAS_RUNNING" -eq 1 ]; then
    say "restarting the stack with the previous limits (the caller's environment)"
    stack_down
    "$ROOT/healthtech" up >>"$TMP/healthtech.log" 2>&1 \
      || { tail -n 20 "$TMP/healthtech.log" >&2; echo "warning: ./healthtech up failed; run it yourself" >&2; }
  else
    say "stopping the stack $1 started"
    stack_down
  fi
}
