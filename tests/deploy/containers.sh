#!/usr/bin/env bash
# tests/deploy/containers.sh BIN_DIR — build the images with podman and run the platform
# from them (run by ./healthtech test).
#
# No registry is reachable here, so the Debian 12 base image is made offline: debootstrap
# (Debian's repositories) with the runtime libraries the Dockerfile's runtime stage
# installs, plus PostgreSQL 15, Redis and python3 for the stores and the local simulators;
# `podman import` makes it localhost/healthtech-base. The service images are then built by
# deploy/docker/Dockerfile itself — its runtime-base stage and a `runtime-prebuilt` stage
# that takes the binaries ./healthtech already built instead of compiling them again (the
# multi-stage `runtime` target stays the production path) — and `ops-tools` / `devtools`
# from the repository context (so .dockerignore is exercised). Then, on a podman network:
# PostgreSQL, Redis, the database bootstrap (ops-tools), migrations, the seven services and
# the BFF (read-only root, uid 1000, no capabilities), the gateway simulator and mail sink;
# and a smoke test through the BFF: health/ready, register + verify + log in, search,
# book. Prints "ok - ..." lines and "N passed, M failed".
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${1:?usage: containers.sh BIN_DIR}"
export CONTAINERS_CONF="$ROOT/tests/deploy/containers.conf"
RUN_ID="ht$$"
NET="$RUN_ID-net"
TMP="$(mktemp -d /tmp/healthtech-containers.XXXXXX)"
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && sed 's/^/    /' <<<"$2" | tail -n 30; return 0; }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
  exit $?
}
cleanup() {
  podman ps -a --filter "label=healthtech.test=$RUN_ID" -q 2>/dev/null | xargs -r podman rm -f -t 2 >/dev/null 2>&1
  podman network rm -f "$NET" >/dev/null 2>&1
  # This run's tags (images are tagged per run: a fixed tag would be re-pointed by another
  # run on the same machine in the middle of this one), then the images nothing tags any
  # more (never anyone else's: theirs are tagged).
  podman images --format '{{.Repository}}:{{.Tag}}' | grep -E "^localhost/healthtech/[a-z-]+:$RUN_ID(-kube)?\$" \
    | xargs -r podman rmi >/dev/null 2>&1
  podman image prune -f --filter label=healthtech.test.image=1 >/dev/null 2>&1
  rm -rf "$TMP"
}
[ -n "${KEEP_CONTAINERS:-}" ] || trap cleanup EXIT
t_start=$SECONDS

for tool in podman runc debootstrap; do
  command -v "$tool" >/dev/null || { not_ok "$tool is not installed (APT_PACKAGES)"; finish; }
done

# ---------------------------------------------------------------- base image (offline)
PKGS="libgrpc++1.51,libgrpc29,libprotobuf32,libpqxx-6.4,libpq5,libhiredis0.14,libsodium23,liboath0,libssl3,libcurl4,libhpdf-2.3.0,libcmark0.30.2,libturbojpeg0,libpng16-16,ca-certificates,tzdata,python3-minimal,libpython3.11-stdlib,postgresql-15,postgresql-15-postgis-3,postgresql-client-15,redis-server,redis-tools,openssl"
MIRROR="$(sed -nE 's/^URIs: *(http[^ ]*debian)\/?$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
BASE_TAG="$(echo "$PKGS" | sha256sum | cut -c1-12)"
BASE="localhost/healthtech-base:$BASE_TAG"
if ! podman image exists "$BASE"; then
  t0=$SECONDS
  ROOTFS="$TMP/rootfs"
  if out="$(debootstrap --variant=minbase --include="$PKGS" bookworm "$ROOTFS" "$MIRROR" 2>&1)"; then
    rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb
    if out="$(tar -C "$ROOTFS" -c . | podman import --change 'CMD ["/bin/bash"]' - "$BASE" 2>&1)"; then
      ok "Debian 12 base image built offline with debootstrap + podman import ($((SECONDS - t0)) s)"
    else
      not_ok "podman import of the debootstrap rootfs" "$out"; finish
    fi
    rm -rf "$ROOTFS"
  else
    not_ok "debootstrap bookworm" "$out"; finish
  fi
else
  ok "Debian 12 base image $BASE (debootstrap, cached on this machine)"
fi

# ---------------------------------------------------------------- images
t0=$SECONDS
CTX="$TMP/bin-context"; mkdir -p "$CTX"
SERVICES=(iam org appointment payment notification forum uhi bff)
for s in "${SERVICES[@]}"; do cp "$BIN/$s-service" "$CTX/"; done
build_failed=""
for s in "${SERVICES[@]}"; do
  if ! out="$(podman build -q --network=host --label healthtech.test.image=1 -f "$ROOT/deploy/docker/Dockerfile" --target runtime-prebuilt \
        --build-arg RUNTIME_IMAGE="$BASE" --build-arg BASE_IMAGE="$BASE" --build-arg SERVICE="$s" \
        -t "localhost/healthtech/$s-service:$RUN_ID" "$CTX" 2>&1)"; then
    build_failed="$build_failed $s"; echo "$out" >"$TMP/build-$s.log"
  fi
done
for target in ops-tools devtools; do
  if ! out="$(podman build -q --network=host --label healthtech.test.image=1 -f "$ROOT/deploy/docker/Dockerfile" --target "$target" \
        --build-arg RUNTIME_IMAGE="$BASE" --build-arg BASE_IMAGE="$BASE" -t "localhost/healthtech/$target:$RUN_ID" "$ROOT" 2>&1)"; then
    build_failed="$build_failed $target"; echo "$out" >"$TMP/build-$target.log"
  fi
done
if [ -z "$build_failed" ]; then
  ok "deploy/docker/Dockerfile builds the 8 service images, ops-tools and devtools with podman ($((SECONDS - t0)) s)"
else
  not_ok "image builds failed:$build_failed" "$(cat "$TMP"/build-*.log)"; finish
fi
user="$(podman image inspect --format '{{.Config.User}}' localhost/healthtech/iam-service:$RUN_ID)"
entry="$(podman image inspect --format '{{json .Config.Entrypoint}}' localhost/healthtech/iam-service:$RUN_ID)"
if [ "$user" = "1000:1000" ] && [ "$entry" = '["/usr/local/bin/healthtech-service"]' ]; then
  ok "service images run as 1000:1000 with an exec-form entrypoint (no shell)"
else
  not_ok "service image user '$user', entrypoint $entry"
fi

# ---------------------------------------------------------------- platform
# Fixed addresses and /etc/hosts entries instead of the network's DNS: aardvark-dns here
# sometimes takes 20 s to answer, which turns into gRPC deadlines.
SUBNET="10.213.$((RANDOM % 200 + 20))"
podman network create --disable-dns --subnet "$SUBNET.0/24" "$NET" >/dev/null || { not_ok "podman network create"; finish; }
declare -A IP=([postgres]=10 [redis]=11 [gateway]=12 [smtp]=13 [iam]=20 [org]=21 [appointment]=22 [payment]=23 [notification]=24 [forum]=25 [uhi]=27 [bff]=26)
HOSTS=()
for n in "${!IP[@]}"; do HOSTS+=(--add-host "$RUN_ID-$n:$SUBNET.${IP[$n]}"); done
L=(--label "healthtech.test=$RUN_ID" --network "$NET" "${HOSTS[@]}")
ipof() { echo "--ip=$SUBNET.${IP[$1]}"; }
HARD=(--read-only --user 1000:1000 --cap-drop ALL --security-opt no-new-privileges --tmpfs /tmp)
PGPW="pg-$RANDOM$RANDOM-superuser-password"
MIG="migrator-$RANDOM$RANDOM"
TOKEN="internal-token-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
KEK="$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
declare -A PW
for s in iam org appointment payment notification forum uhi; do PW[$s]="$s-$RANDOM$RANDOM"; done
dburl() { echo "postgresql://${1}_app:${PW[$1]}@$RUN_ID-postgres:5432/healthtech"; }

# PostgreSQL and Redis from the same base image (no registry), as their own users.
podman run -d "${L[@]}" "$(ipof postgres)" --name "$RUN_ID-postgres" --user postgres --tmpfs /var/lib/postgresql/data:rw,mode=1777 \
  -e PGPW="$PGPW" "$BASE" bash -c '
    set -e; D=/var/lib/postgresql/data/pg; echo "$PGPW" >/tmp/pw
    /usr/lib/postgresql/15/bin/initdb -D "$D" -U postgres --pwfile=/tmp/pw --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    echo "host all all 0.0.0.0/0 scram-sha-256" >>"$D/pg_hba.conf"
    exec /usr/lib/postgresql/15/bin/postgres -D "$D" -c listen_addresses="*" -c unix_socket_directories=/tmp -c fsync=off -c max_connections=200' >/dev/null
podman run -d "${L[@]}" "$(ipof redis)" --name "$RUN_ID-redis" --user redis --tmpfs /data:rw,mode=1777 "$BASE" \
  redis-server --bind 0.0.0.0 --protected-mode no --dir /data --save '' >/dev/null
for _ in $(seq 150); do podman exec "$RUN_ID-postgres" pg_isready -q -h 127.0.0.1 2>/dev/null && break; sleep 0.2; done
if podman exec "$RUN_ID-postgres" pg_isready -q -h 127.0.0.1 && podman exec "$RUN_ID-redis" redis-cli ping 2>/dev/null | grep -q PONG; then
  ok "PostgreSQL 15 and Redis containers up"
else
  not_ok "PostgreSQL/Redis containers" "$(podman logs "$RUN_ID-postgres" 2>&1 | tail -10)"; finish
fi

# Bootstrap (ops-tools image) and migrations (each service image's `migrate`).
if out="$(podman run --rm "${L[@]}" "${HARD[@]}" -e PGHOST="$RUN_ID-postgres" -e PGUSER=postgres -e PGPASSWORD="$PGPW" \
      -e PGDATABASE=healthtech -e MIGRATOR_PASSWORD="$MIG" -e IAM_APP_PASSWORD="${PW[iam]}" -e ORG_APP_PASSWORD="${PW[org]}" \
      -e APPOINTMENT_APP_PASSWORD="${PW[appointment]}" -e PAYMENT_APP_PASSWORD="${PW[payment]}" \
      -e NOTIFICATION_APP_PASSWORD="${PW[notification]}" -e FORUM_APP_PASSWORD="${PW[forum]}" \
      -e UHI_APP_PASSWORD="${PW[uhi]}" \
      localhost/healthtech/ops-tools:$RUN_ID bootstrap 2>&1)"; then
  ok "ops-tools image bootstraps the database and roles ($out)"
else
  not_ok "database bootstrap in the ops-tools image" "$out"; finish
fi
mig_out=""
for s in iam org appointment payment notification forum uhi; do
  mig_out+="$(podman run --rm "${L[@]}" "${HARD[@]}" -e MIGRATION_DATABASE_URL="postgresql://healthtech_migrator:$MIG@$RUN_ID-postgres:5432/healthtech" \
    "localhost/healthtech/$s-service:$RUN_ID" migrate 2>&1)"$'\n' || { not_ok "migrations of $s in its image" "$mig_out"; finish; }
done
ok "every service image applies its migrations ($(grep -c 'migration(s) applied' <<<"$mig_out") schemas)"

# Simulators, services, BFF.
read -r HTTP_PORT < <(/usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
podman run -d "${L[@]}" "$(ipof gateway)" "${HARD[@]}" --name "$RUN_ID-gateway" localhost/healthtech/devtools:$RUN_ID python3 /opt/healthtech/tools/gateway_sim/gateway_sim.py \
  --bind=0.0.0.0 --port=8090 --key-id=rzp_test_healthtech --key-secret=gw-secret --webhook-secret=wh-secret \
  --webhook-url="http://$RUN_ID-bff:8080/v1/payments/webhooks/razorpay" >/dev/null
podman run -d "${L[@]}" "$(ipof smtp)" "${HARD[@]}" --name "$RUN_ID-smtp" localhost/healthtech/devtools:$RUN_ID python3 /opt/healthtech/tools/smtp_sink/smtp_sink.py \
  --bind=0.0.0.0 --smtp-port=2525 --http-port=8025 --store=/tmp/sink.jsonl >/dev/null
COMMON=(-e BIND_ADDRESS=0.0.0.0 -e LOG_LEVEL=info -e HEALTHTECH_ENV=development -e SHUTDOWN_GRACE_SECONDS=5
        -e REDIS_URL="redis://$RUN_ID-redis:6379/0" -e JWT_ISSUER="http://localhost:$HTTP_PORT" -e JWT_AUDIENCE=healthtech-api)
SVC=(-e GRPC_PORT=50051 -e ADMIN_PORT=9090 -e INTERNAL_SERVICE_TOKEN="$TOKEN" -e IAM_SERVICE_URL="$RUN_ID-iam:50051")
run_svc() { local s="$1"; shift; podman run -d "${L[@]}" "$(ipof "$s")" "${HARD[@]}" --name "$RUN_ID-$s" "$@" "localhost/healthtech/$s-service:$RUN_ID" >/dev/null; }
run_svc iam "${COMMON[@]}" "${SVC[@]}" -e DATABASE_URL="$(dburl iam)" -e IAM_KEY_ENCRYPTION_KEY="$KEK" -e PUBLIC_WEB_URL="http://localhost:$HTTP_PORT"
run_svc org "${COMMON[@]}" "${SVC[@]}" -e DATABASE_URL="$(dburl org)" -e PUBLIC_WEB_URL="http://localhost:$HTTP_PORT"
run_svc appointment "${COMMON[@]}" "${SVC[@]}" -e DATABASE_URL="$(dburl appointment)" -e ORG_SERVICE_URL="$RUN_ID-org:50051"
run_svc payment "${COMMON[@]}" "${SVC[@]}" -e DATABASE_URL="$(dburl payment)" -e APPOINTMENT_SERVICE_URL="$RUN_ID-appointment:50051" \
  -e ORG_SERVICE_URL="$RUN_ID-org:50051" -e GATEWAY_BASE_URL="http://$RUN_ID-gateway:8090" -e GATEWAY_KEY_ID=rzp_test_healthtech \
  -e GATEWAY_KEY_SECRET=gw-secret -e GATEWAY_WEBHOOK_SECRET=wh-secret
# Mail goes out asynchronously through the notification service; GET /v1/dev/outbox (the
# seeding below reads verification links from it) asks the sink through DEV_SMTP_SINK_URL.
run_svc notification "${COMMON[@]}" "${SVC[@]}" -e DATABASE_URL="$(dburl notification)" -e SMTP_URL="smtp://$RUN_ID-smtp:2525" \
  -e DEV_SMTP_SINK_URL="http://$RUN_ID-smtp:8025"
run_svc forum "${COMMON[@]}" "${SVC[@]}" -e DATABASE_URL="$(dburl forum)" -e ORG_SERVICE_URL="$RUN_ID-org:50051" \
  -e APPOINTMENT_SERVICE_URL="$RUN_ID-appointment:50051"
# No UHI network here (the base image has no Node for tools/uhi_sim): a placeholder
# registry; the service starts, serves gRPC health and GET /uhi/subscriber.
UHI_KEY="$(openssl genpkey -algorithm ed25519 -outform DER | base64 -w0)"
run_svc uhi "${COMMON[@]}" "${SVC[@]}" -e DATABASE_URL="$(dburl uhi)" -e ORG_SERVICE_URL="$RUN_ID-org:50051" \
  -e APPOINTMENT_SERVICE_URL="$RUN_ID-appointment:50051" -e PAYMENT_SERVICE_URL="$RUN_ID-payment:50051" \
  -e UHI_SUBSCRIBER_ID=hspa.healthtech.test -e UHI_PUB_KEY_ID=hspa-1 \
  -e UHI_SIGNING_PRIVATE_KEY="$UHI_KEY" -e UHI_SUBSCRIBER_URL="http://localhost:$HTTP_PORT/uhi" \
  -e UHI_REGISTRY_URL=https://uhi-registry.invalid
run_svc bff "${COMMON[@]}" -e HTTP_PORT=8080 -e ADMIN_PORT=9090 -p "127.0.0.1:$HTTP_PORT:8080" \
  $(for t in iam org appointment payment notification forum uhi; do echo "-e ${t^^}_SERVICE_URL=$RUN_ID-$t:50051"; done) \
  -e RATE_LIMIT_IP_PER_SECOND=1000 -e RATE_LIMIT_IP_BURST=5000 -e UPSTREAM_TIMEOUT_MS=30000
B="http://127.0.0.1:$HTTP_PORT"
for _ in $(seq 200); do curl -fsS -o /dev/null "$B/ready" 2>/dev/null && break; sleep 0.15; done
if curl -fsS -o /dev/null "$B/ready"; then
  ok "the platform runs from the images on a podman network (read-only root, uid 1000, no capabilities); BFF ready"
else
  logs=""; for c in iam org appointment payment notification forum uhi bff; do logs+="[$c] $(podman logs "$RUN_ID-$c" 2>&1 | tail -3)"$'\n'; done
  not_ok "the BFF did not become ready" "$logs"; finish
fi

# ---------------------------------------------------------------- smoke test
out="$("$ROOT/deploy/scripts/smoke-test.sh" "$B" 2>&1)"
if [ $? -eq 0 ]; then ok "deploy/scripts/smoke-test.sh passes against the containers"; else not_ok "smoke-test.sh against the containers" "$out"; fi
cat >"$TMP/iam-in-container" <<EOF
#!/bin/sh
exec podman exec $RUN_ID-iam /usr/local/bin/healthtech-service "\$@"
EOF
chmod +x "$TMP/iam-in-container"
if out="$(BFF_URL="$B" IAM_BIN="$TMP/iam-in-container" IAM_ENV="" /usr/bin/python3 "$ROOT/scripts/seed.py" 2>&1)"; then
  ok "demo data seeded through the containerised BFF (organizations verified, practitioners with hours)"
else
  rid="$(grep -oE 'req_[0-9a-f]+' <<<"$out" | head -1)"
  logs=""; for c in iam org appointment bff; do logs+="[$c] $(podman logs "$RUN_ID-$c" 2>&1 | grep -E "${rid:-\"level\":\"(warn|error)\"}|\"level\":\"(warn|error)\"" | tail -6)"$'\n'; done
  logs+="[load] $(cat /proc/loadavg)"
  not_ok "scripts/seed.py against the containers" "$out"$'\n'"$logs"; finish
fi
if out="$(BFF_URL="$B" /usr/bin/python3 - <<'EOF' 2>&1
import json, os, re, sys, time, urllib.request, uuid
B = os.environ["BFF_URL"]
def call(method, path, body=None, token=None, headers=None):
    h = {"Content-Type": "application/json", **(headers or {})}
    if token: h["Authorization"] = "Bearer " + token
    req = urllib.request.Request(B + path, method=method, headers=h, data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(req, timeout=15) as r: return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e: return e.code, json.loads(e.read() or b"{}")
email = f"patient-{uuid.uuid4().hex[:8]}@example.com"
s, b = call("POST", "/v1/auth/register", {"email": email, "password": "correct horse battery", "full_name": "Container Patient"})
assert s == 201, (s, b)
# The verification mail goes out asynchronously (notification service → SMTP sink).
token = None
for _ in range(100):
    s, b = call("GET", "/v1/dev/outbox?to=" + email)
    found = [m for m in b.get("items", []) if "verify-email?token=" in m["body"]]
    if found:
        token = re.search(r"verify-email\?token=([A-Za-z0-9_-]+)", found[-1]["body"]).group(1)
        break
    time.sleep(0.1)
assert token, ("no verification mail", s, b)
s, b = call("POST", "/v1/auth/verify-email", {"token": token}); assert s == 200, (s, b)
s, b = call("POST", "/v1/auth/login", {"email": email, "password": "correct horse battery"}); assert s == 200, (s, b)
at = b["access_token"]
print("registered, verified, logged in")
s, b = call("GET", "/v1/practitioners?city=Bengaluru"); assert s == 200 and b["items"], (s, b)
p = b["items"][0]["id"]
s, b = call("GET", f"/v1/practitioners/{p}/slots"); assert s == 200 and b["items"], (s, b)
slot = b["items"][0]
print(f"search: {len(b['items'])} free slots")
s, b = call("POST", "/v1/appointments", {"practitioner_id": p, "facility_id": slot["facility_id"], "start": slot["start"], "mode": slot["mode"]},
            token=at, headers={"Idempotency-Key": str(uuid.uuid4())})
assert s == 201 and b.get("status") in ("pending_payment", "confirmed"), (s, b)
s, l = call("GET", "/v1/appointments", token=at)
assert s == 200 and any(a["id"] == b["id"] for a in l["items"]), (s, l)
print(f"booked {b['id']} ({b['status']})")
EOF
)"; then
  ok "through the containerised BFF: register, verify, log in, search, book ($(tr '\n' ';' <<<"$out"))"
else
  not_ok "register / log in / search / book through the containers" "$out"
fi
# ---------------------------------------------------------------- podman kube play
# The rendered dev overlay as a second, real consumer of the Kubernetes manifests: its
# eight Deployments and ConfigMaps, run by `podman kube play` against the same PostgreSQL
# and Redis, with the Secrets it names (podman 4.3 reads a secretKeyRef from a podman
# secret holding a JSON map of base64 values). tests/deploy/kube_play_prepare.mjs lists
# the few changes podman needs.
KUBECTL="$ROOT/deploy/validate/.bin/kubectl"
if [ ! -x "$KUBECTL" ]; then
  not_ok "podman kube play: kubectl from npm is missing (tests/deploy/run.sh installs it)"
else
  t0=$SECONDS
  declare -A KIP=([iam]=40 [org]=41 [appointment]=42 [payment]=43 [notification]=44 [forum]=45 [uhi]=47 [bff]=46)
  hosts="{"; ips=()
  for s in iam org appointment payment notification forum uhi bff; do
    hosts+="\"$s-service\":\"$SUBNET.${KIP[$s]}\","; ips+=(--ip "$SUBNET.${KIP[$s]}")
  done
  hosts="${hosts%,}}"
  for s in iam org appointment payment notification forum uhi bff; do podman tag "localhost/healthtech/$s-service:$RUN_ID" "localhost/healthtech/$s-service:$RUN_ID-kube" >/dev/null; done
  KSECRETS=(migrator-database-secret iam-database-secret org-database-secret appointment-database-secret payment-database-secret
            notification-database-secret forum-database-secret uhi-database-secret redis-secret internal-service-token jwt-secret
            payment-gateway-secret smtp-secret sms-secret uhi-signing-secret)
  ksecret() {  # ksecret NAME key=value ...
    local name="$RUN_ID-$1"; shift
    podman secret rm "$name" >/dev/null 2>&1
    /usr/bin/python3 -c 'import base64, json, sys
print(json.dumps({k: base64.b64encode(v.encode()).decode() for k, v in (a.split("=", 1) for a in sys.argv[1:])}))' "$@" \
      | podman secret create "$name" - >/dev/null
  }
  db() { echo "postgresql://${1}_app:${PW[$1]}@$SUBNET.10:5432/healthtech"; }
  ksecret migrator-database-secret url="postgresql://healthtech_migrator:$MIG@$SUBNET.10:5432/healthtech"
  for s in iam org appointment payment notification forum uhi; do ksecret "$s-database-secret" url="$(db "$s")"; done
  ksecret redis-secret url="redis://$SUBNET.11:6379/0" password=""
  ksecret internal-service-token token="$TOKEN"
  ksecret jwt-secret key-encryption-key="$KEK"
  ksecret payment-gateway-secret key-id=rzp_test_healthtech key-secret=gw-secret webhook-secret=wh-secret
  ksecret smtp-secret url="smtp://$SUBNET.13:2525" username= password=
  ksecret sms-secret api-key="sms-$RANDOM$RANDOM"
  ksecret uhi-signing-secret private-key="$UHI_KEY"
  trap 'podman kube down "$TMP/kube.yaml" >/dev/null 2>&1; for x in "${KSECRETS[@]}"; do podman secret rm "$RUN_ID-$x" >/dev/null 2>&1; done; cleanup' EXIT
  if out="$("$KUBECTL" kustomize "$ROOT/deploy/k8s/overlays/dev" >"$TMP/dev.yaml" 2>&1 &&
            node "$ROOT/tests/deploy/kube_play_prepare.mjs" "$TMP/dev.yaml" "$RUN_ID-kube" "$hosts" "$RUN_ID" >"$TMP/kube.yaml" 2>&1 &&
            podman kube play --network "$NET" "${ips[@]}" "$TMP/kube.yaml" 2>&1)"; then
    echo "# podman kube play returned after $((SECONDS - t0)) s"
    KB="http://$SUBNET.${KIP[bff]}:8080"
    for _ in $(seq 200); do curl -fsS -o /dev/null "$KB/ready" 2>/dev/null && break; sleep 0.15; done
    running="$(podman ps --filter "name=$RUN_ID-" --format '{{.Names}}' | grep -c -- '-service-pod-0-.*-service$')"
    if curl -fsS -o /dev/null "$KB/ready"; then
      ok "podman kube play runs the dev overlay's 8 Deployments (its ConfigMaps, secretKeyRefs, uid 1000, read-only root, no capabilities) and its BFF is ready ($((SECONDS - t0)) s)"
      out="$("$ROOT/deploy/scripts/smoke-test.sh" "$KB" 2>&1)" && ok "smoke-test.sh passes against the kube-played platform" \
        || not_ok "smoke-test.sh against the kube-played platform" "$out"
    else
      logs=""; for c in $(podman ps -a --filter "name=$RUN_ID-.*-pod-0-" --format '{{.Names}}'); do logs+="[$c] $(podman logs "$c" 2>&1 | tail -2)"$'\n'; done
      not_ok "the kube-played BFF did not become ready ($running service containers running)" "$logs"
    fi
  else
    not_ok "podman kube play of the dev overlay" "$out"
  fi
fi

# ---------------------------------------------------------------- PostgreSQL HA image
# The production overlay's database (deploy/k8s/components/postgres-ha): the postgres-ha
# image runs etcd and two Patroni nodes with the component's own patroni.yml (only the
# etcd address differs), read-only root, no capabilities. A row committed on the leader
# must be on the standby that takes over after the leader's container is killed.
t0=$SECONDS
HAIMG="localhost/healthtech/postgres-ha:$RUN_ID"
if ! out="$(podman build -q --network=host --label healthtech.test.image=1 -f "$ROOT/deploy/docker/Dockerfile" --target postgres-ha \
      --build-arg RUNTIME_IMAGE="$BASE" --build-arg BASE_IMAGE="$BASE" -t "$HAIMG" "$ROOT" 2>&1)"; then
  not_ok "the postgres-ha image builds" "$out"
else
  E="$SUBNET.60"
  sed "s|^  hosts: .*|  hosts: $E:2379|" "$ROOT/deploy/k8s/components/postgres-ha/patroni.yml" >"$TMP/patroni.yml"
  chmod 644 "$TMP/patroni.yml"
  RPW="replication-$RANDOM$RANDOM"
  HA_HARD=(--read-only --cap-drop ALL --security-opt no-new-privileges --tmpfs /tmp:rw,mode=1777)
  podman run -d --label "healthtech.test=$RUN_ID" --network "$NET" --ip "$E" --name "$RUN_ID-etcd" "${HA_HARD[@]}" \
    --tmpfs /var/lib/etcd:rw,mode=1777 "$HAIMG" etcd --name etcd-0 --data-dir /var/lib/etcd/data --enable-v2=true \
    --listen-client-urls http://0.0.0.0:2379 --advertise-client-urls "http://$E:2379" \
    --listen-peer-urls http://0.0.0.0:2380 --initial-advertise-peer-urls "http://$E:2380" \
    --initial-cluster "etcd-0=http://$E:2380" >/dev/null
  declare -A HIP=([pg-a]=61 [pg-b]=62)
  ha_node() {
    local ip="$SUBNET.${HIP[$1]}"
    podman run -d --label "healthtech.test=$RUN_ID" --network "$NET" --ip "$ip" --name "$RUN_ID-$1" "${HA_HARD[@]}" \
      --tmpfs /var/lib/postgresql/data:rw,mode=1777 --tmpfs /var/lib/postgresql/wal-archive:rw,mode=1777 \
      --tmpfs /var/run/postgresql:rw,mode=1777 -v "$TMP/patroni.yml:/etc/patroni/patroni.yml:ro" \
      -e PATRONI_NAME="$1" -e PATRONI_POSTGRESQL_CONNECT_ADDRESS="$ip:5432" -e PATRONI_RESTAPI_CONNECT_ADDRESS="$ip:8008" \
      -e PATRONI_SUPERUSER_USERNAME=postgres -e PATRONI_SUPERUSER_PASSWORD="$PGPW" \
      -e PATRONI_REPLICATION_USERNAME=replicator -e PATRONI_REPLICATION_PASSWORD="$RPW" "$HAIMG" >/dev/null
  }
  ha_cluster() { curl -fsS --max-time 2 "http://$SUBNET.${HIP[$1]}:8008/cluster" 2>/dev/null; }
  ha_roles() {  # "name=role ..." as either node sees the cluster
    { ha_cluster pg-a || ha_cluster pg-b; } | python3 -c 'import json,sys
print(" ".join(m["name"] + "=" + m["role"] for m in sorted(json.load(sys.stdin)["members"], key=lambda m: m["name"])))' 2>/dev/null
  }
  ha_node pg-a
  end=$((SECONDS + 90)); until ha_roles | grep -q 'pg-a=leader' || [ $SECONDS -ge $end ]; do sleep 0.3; done
  ha_node pg-b
  end=$((SECONDS + 120)); until [ "$(ha_roles)" = "pg-a=leader pg-b=sync_standby" ] || [ $SECONDS -ge $end ]; do sleep 0.3; done
  roles="$(ha_roles)"
  if [ "$roles" = "pg-a=leader pg-b=sync_standby" ]; then
    ok "the postgres-ha image runs etcd and a Patroni pair from the component's patroni.yml: leader + synchronous standby ($((SECONDS - t0)) s)"
    HAURL="postgresql://postgres:$PGPW@$SUBNET.61:5432,$SUBNET.62:5432/postgres?target_session_attrs=read-write&connect_timeout=3"
    psql -X -q "$HAURL" -c "CREATE TABLE drill (id int PRIMARY KEY, at timestamptz DEFAULT now()); INSERT INTO drill VALUES (1)" >/dev/null 2>&1
    podman kill -s KILL "$RUN_ID-pg-a" >/dev/null
    t1=$SECONDS
    end=$((SECONDS + 90)); until ha_roles | grep -q 'pg-b=leader' || [ $SECONDS -ge $end ]; do sleep 0.3; done
    row="$(psql -X -tA "$HAURL" -c "SELECT count(*) FROM drill WHERE id = 1" 2>&1)"
    if ha_roles | grep -q 'pg-b=leader' && [ "$row" = 1 ]; then
      ok "the leader's container killed: the standby leads $((SECONDS - t1)) s later and has the committed row"
    else
      not_ok "failover in the postgres-ha containers (roles: $(ha_roles); row: $row)" "$(podman logs "$RUN_ID-pg-b" 2>&1 | tail -15)"
    fi
  else
    not_ok "the Patroni pair from the postgres-ha image (roles: '$roles')" \
      "$(podman logs "$RUN_ID-pg-a" 2>&1 | tail -12; podman logs "$RUN_ID-pg-b" 2>&1 | tail -8; podman logs "$RUN_ID-etcd" 2>&1 | tail -4)"
  fi
fi

echo "# containers: $((SECONDS - t_start)) s in all"
finish
