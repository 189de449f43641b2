#!/usr/bin/env bash
# tests/fuzz/run.sh BUILD_DIR — coverage-guided fuzzing (libFuzzer, clang from Debian) of the
# code that reads untrusted bytes: the JSON <-> protobuf transcoder, the HTTP request path,
# the Markdown renderer and sanitizer, the page-token codec, portraits, and what the UHI
# network sends (signature headers and messages).
#
# The code under test is compiled here with clang (-fsanitize=fuzzer,address,undefined), so
# libFuzzer sees its coverage; the rest (generated protobuf code, the status library) comes
# from the main build (BUILD_DIR, built by g++; the same libstdc++). Each target runs
# FUZZ_SECONDS (default 20) from its committed seed corpus (tests/fuzz/corpus/<target>);
# inputs it finds go to a scratch directory, and a crash is kept as BUILD_DIR/fuzz/crash-*.
# Prints "ok"/"not ok" per target and "N passed, M failed" last.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="$(cd "${1:?usage: tests/fuzz/run.sh BUILD_DIR}" && pwd)"
OUT="$BUILD/fuzz"
SECONDS_EACH="${FUZZ_SECONDS:-20}"
mkdir -p "$OUT/obj"
CXX="${FUZZ_CXX:-clang++}"
FLAGS=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
       -Wno-deprecated-declarations)
INC=(-I"$ROOT/services/bff/src" -I"$ROOT/services/forum/src" -I"$ROOT/services/uhi/include"
     -isystem "$BUILD/proto/gen")
for d in "$ROOT"/libs/*/include; do INC+=(-I"$d"); done
SYS_LIBS=$(pkg-config --libs protobuf grpc++ libsodium libcmark)
passed=0; failed=0
report() { if [ "$1" = 0 ]; then passed=$((passed + 1)); echo "ok - $2"; else failed=$((failed + 1)); echo "not ok - $2"; fi; }

# Sources under test, instrumented for coverage (fuzzer-no-link), compiled once each.
# True when OBJ is missing or older than anything its dependency file DEP lists (the source
# and every header it includes, generated protobuf headers too).
stale() {
  local dep="$1" obj="$2" f
  [ -f "$obj" ] && [ -f "$dep" ] || return 0
  for f in $(sed -e 's/\\$//' -e 's/^[^:]*://' "$dep"); do
    [ -e "$f" ] && [ ! "$f" -nt "$obj" ] || return 0
  done
  return 1
}

compile() {  # compile SRC -> object path on stdout (again when it or a header it includes changed)
  local src="$1" obj dep
  obj="$OUT/obj/$(echo "$src" | tr '/' '_').o"; dep="${obj%.o}.d"
  if stale "$dep" "$obj"; then
    "$CXX" "${FLAGS[@]}" -fsanitize=fuzzer-no-link "${INC[@]}" -MMD -MF "$dep" -c "$ROOT/$src" -o "$obj" \
      || return 1
  fi
  echo "$obj"
}
declare -A SOURCES=(
  [transcode]="services/bff/src/transcode.cc services/bff/src/contract.cc services/bff/src/router.cc services/bff/src/routes.cc services/bff/src/link_protos.cc libs/validate/src/validate.cc"
  [http_request]="services/bff/src/http_checks.cc services/bff/src/router.cc services/bff/src/routes.cc services/bff/src/link_protos.cc"
  [markdown]="services/forum/src/domain/render.cc libs/text/src/html.cc"
  [page_token]="libs/paging/src/page_token.cc"
  [portrait]="libs/image/src/portrait.cc"
  [uhi_message]="services/uhi/src/domain/messages.cc services/uhi/src/domain/discovery.cc services/uhi/src/domain/orders.cc libs/uhi/src/signing.cc"
)
declare -A LIBS=(
  [transcode]="$BUILD/libs/status/libhealthtech_status.a $BUILD/proto/libhealthtech_protos.a"
  [http_request]="$BUILD/libs/status/libhealthtech_status.a $BUILD/proto/libhealthtech_protos.a"
  [markdown]=""
  [page_token]="$BUILD/libs/status/libhealthtech_status.a $BUILD/proto/libhealthtech_protos.a"
  [portrait]="$(pkg-config --libs libturbojpeg libpng) -lz"
  [uhi_message]="$(pkg-config --libs libcrypto)"
)
for target in transcode http_request markdown page_token portrait uhi_message; do
  objs=()
  ok=1
  for src in ${SOURCES[$target]}; do
    o=$(compile "$src") || { ok=0; break; }
    objs+=("$o")
  done
  bin="$OUT/${target}_fuzz"
  if [ "$ok" = 1 ]; then
    # shellcheck disable=SC2086
    "$CXX" "${FLAGS[@]}" -fsanitize=fuzzer "${INC[@]}" "$ROOT/tests/fuzz/targets/${target}_fuzz.cc" "${objs[@]}" \
      ${LIBS[$target]} $SYS_LIBS -lpthread -o "$bin" || ok=0
  fi
  if [ "$ok" != 1 ]; then report 1 "$target: the fuzz target builds"; continue; fi
  scratch="$OUT/corpus-$target"; rm -rf "$scratch"; mkdir -p "$scratch"
  log="$OUT/$target.log"
  (cd "$OUT" && ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -artifact_prefix="$OUT/crash-$target-" -print_final_stats=1 \
    "$scratch" "$ROOT/tests/fuzz/corpus/$target") >"$log" 2>&1
  rc=$?
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
  report "$rc" "$target: ${runs:-0} inputs in ${SECONDS_EACH} s, ${cov:-no coverage}, no crash or sanitizer finding"
  [ "$rc" = 0 ] || tail -40 "$log" | sed 's/^/    /'
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
