#!/usr/bin/env bash
# deploy.sh ENVIRONMENT VERSION — the seed's environment promotion, on Kustomize.
#
#   deploy/scripts/deploy.sh development|staging|production VERSION [--dry-run]
#
# Renders deploy/k8s/overlays/<env> with every HealthTech image at VERSION, applies it to
# the kube context healthtech-<env> (one cluster per environment; override with
# KUBE_CONTEXT), waits for the rollouts, then smoke-tests the public API. --dry-run only
# renders to stdout (no cluster needed). Exit status is non-zero on any failure.
set -euo pipefail
ENVIRONMENT="${1:-}"; VERSION="${2:-}"; DRY_RUN="${3:-}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"

case "$ENVIRONMENT" in
  development) OVERLAY=dev;        API=https://api.dev.healthtech.com ;;
  staging)     OVERLAY=staging;    API=https://staging-api.healthtech.com ;;
  production)  OVERLAY=production; API=https://api.healthtech.com ;;
  *) echo "usage: $0 development|staging|production VERSION [--dry-run]" >&2; exit 2 ;;
esac
[[ "$VERSION" =~ ^[A-Za-z0-9._-]{1,128}$ ]] || { echo "invalid VERSION '$VERSION'" >&2; exit 2; }
[ "$VERSION" != latest ] || { echo "refusing to deploy 'latest': give a commit SHA or a release" >&2; exit 2; }

KUBECTL="${KUBECTL:-kubectl}"
CONTEXT="${KUBE_CONTEXT:-healthtech-$ENVIRONMENT}"

# A throwaway kustomization on top of the overlay that pins every image to VERSION.
WORK="$ROOT/deploy/k8s/.deploy-$OVERLAY-$$"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK"
{
  echo "apiVersion: kustomize.config.k8s.io/v1beta1"
  echo "kind: Kustomization"
  echo "resources:"
  echo "  - ../overlays/$OVERLAY"
  echo "images:"
  for img in bff-service iam-service org-service appointment-service payment-service notification-service forum-service uhi-service ops-tools postgres-ha; do
    echo "  - name: ghcr.io/healthtech/$img"
    echo "    newTag: \"$VERSION\""
  done
} >"$WORK/kustomization.yaml"

if [ "$DRY_RUN" = --dry-run ]; then
  "$KUBECTL" kustomize "$WORK"
  exit 0
fi

K=("$KUBECTL" --context "$CONTEXT")
echo "==> deploying $VERSION to $ENVIRONMENT (context $CONTEXT)"
"$KUBECTL" kustomize "$WORK" >"$WORK/rendered.yaml"
# Namespaces and CRD-backed objects first would need the CRDs installed: the cluster
# prerequisites (cert-manager, external-secrets, Argo Rollouts, Linkerd, VPA) are listed in
# docs/operations.md.
# A Job's pod template is immutable: the bootstrap Job is replaced on every deployment.
"${K[@]}" -n supabase delete job db-bootstrap --ignore-not-found
"${K[@]}" apply --server-side --force-conflicts -f "$WORK/rendered.yaml"

echo "==> waiting for the database bootstrap and the rollouts"
"${K[@]}" -n supabase rollout status statefulset/supabase-postgres --timeout=300s
"${K[@]}" -n supabase wait --for=condition=complete job/db-bootstrap --timeout=300s
for d in iam org appointment notification forum uhi; do
  "${K[@]}" -n microservices rollout status "deployment/$d-service" --timeout=300s
done
if [ "$OVERLAY" = dev ]; then
  "${K[@]}" -n microservices rollout status deployment/bff-service --timeout=300s
  "${K[@]}" -n microservices rollout status deployment/payment-service --timeout=300s
else
  # Argo Rollouts: the BFF canary walks its steps with analysis; the payment blue-green
  # waits in preview until promoted (kubectl argo rollouts promote payment-service-rollout).
  "${K[@]}" -n microservices wait --for=condition=Available rollout/bff-service-rollout --timeout=1200s
fi
"${K[@]}" -n microservices wait --for=condition=ready pod -l app.kubernetes.io/part-of=healthtech --timeout=300s

echo "==> smoke tests against $API"
"$ROOT/deploy/scripts/smoke-test.sh" "$API"
echo "==> $ENVIRONMENT is at $VERSION"
