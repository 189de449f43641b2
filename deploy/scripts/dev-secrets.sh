#!/usr/bin/env bash
# Creates (or keeps) the Secrets of a development cluster with random values. Staging and
# production get the same names from Vault (deploy/k8s/components/external-secrets).
#   deploy/scripts/dev-secrets.sh [--context CTX]
# Every line "secret NAMESPACE NAME key=value ..." below is also read by the manifest
# validator (deploy/validate), which checks that each secretKeyRef is provided.
set -euo pipefail
KUBECTL=(kubectl)
[ "${1:-}" = --context ] && KUBECTL+=(--context "$2")
rand() { head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }

secret() {
  local ns="$1" name="$2"; shift 2
  if "${KUBECTL[@]}" -n "$ns" get secret "$name" >/dev/null 2>&1; then
    echo "kept    $ns/$name"; return
  fi
  local args=()
  for kv in "$@"; do args+=(--from-literal="$kv"); done
  "${KUBECTL[@]}" -n "$ns" create secret generic "$name" "${args[@]}" >/dev/null
  echo "created $ns/$name"
}

PG_PASSWORD=$(rand); REDIS_PASSWORD=$(rand); MIGRATOR=$(rand); BACKUP_KEY=$(rand)
declare -A APP
for s in iam org appointment payment notification forum uhi; do APP[$s]=$(rand); done
DB=supabase-postgres.supabase.svc.cluster.local:5432/healthtech
url() { echo "postgresql://${1}_app:${APP[$1]}@$DB?sslmode=prefer"; }

secret supabase postgres-secret username=postgres password="$PG_PASSWORD"
secret supabase backup-encryption-secret key="$BACKUP_KEY"
secret supabase db-role-passwords iam-app="${APP[iam]}" org-app="${APP[org]}" appointment-app="${APP[appointment]}" payment-app="${APP[payment]}" notification-app="${APP[notification]}" forum-app="${APP[forum]}" uhi-app="${APP[uhi]}" migrator="$MIGRATOR"
secret microservices backup-encryption-secret key="$BACKUP_KEY"
secret microservices migrator-database-secret url="postgresql://healthtech_migrator:$MIGRATOR@$DB?sslmode=prefer"
secret microservices iam-database-secret url="$(url iam)"
secret microservices org-database-secret url="$(url org)"
secret microservices appointment-database-secret url="$(url appointment)"
secret microservices payment-database-secret url="$(url payment)"
secret microservices notification-database-secret url="$(url notification)"
secret microservices forum-database-secret url="$(url forum)"
secret microservices uhi-database-secret url="$(url uhi)"
secret microservices redis-secret url="redis://:$REDIS_PASSWORD@redis.microservices.svc.cluster.local:6379/0" password="$REDIS_PASSWORD"
secret microservices internal-service-token token="$(rand)"
secret microservices jwt-secret key-encryption-key="$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
secret microservices payment-gateway-secret key-id=rzp_test_healthtech key-secret="$(rand)" webhook-secret="$(rand)"
# The development mail sink needs no SMTP AUTH; SMS is off in dev (no SMS_API_URL), the key is a placeholder.
secret microservices smtp-secret url="smtp://mailpit.microservices.svc.cluster.local:1025" username= password=
secret microservices sms-secret api-key="$(rand)"
# The platform's Ed25519 key on the UHI network (PKCS#8 DER, base64).
secret microservices uhi-signing-secret private-key="$(openssl genpkey -algorithm ed25519 -outform DER | base64 -w0)"
secret monitoring alertmanager-slack slack_api_url="https://hooks.slack.invalid/dev"
