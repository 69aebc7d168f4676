# shellcheck shell=bash
# write_repo DIR: the demo's manifests repository — a base, overlays dev,
# staging and production, and gitward.yaml. Staging runs a newer image than
# production, so there is something to promote. SealedSecrets for production
# live in secrets/production, which the production overlay includes, so
# rolling back production's folder leaves them alone.
write_repo() {
  local d=$1
  mkdir -p "$d/base" "$d/overlays/dev" "$d/overlays/staging" "$d/overlays/production" "$d/secrets/production"
  cat >"$d/gitward.yaml" <<'EOF'
apiVersion: gitward.dev/v1alpha1
kind: Config
environments:            # promotion order
  - name: dev
    path: overlays/dev
  - name: staging
    path: overlays/staging
  - name: production
    path: overlays/production
sources:                 # what the agent and the webhook track
  - name: production
    branch: main
    path: overlays/production
promotion:
  images: true
EOF
  cat >"$d/base/kustomization.yaml" <<'EOF'
resources:
  - deployment.yaml
  - configmap.yaml
EOF
  cat >"$d/base/deployment.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: registry.k8s.io/pause
          resources:
            requests: {cpu: 10m, memory: 16Mi}
EOF
  cat >"$d/base/configmap.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  greeting: hello
EOF
  local env ns tag replicas
  for env in dev staging production; do
    case $env in
      dev) ns=shop-dev tag=3.10 replicas=1 ;;
      staging) ns=shop-staging tag=3.10 replicas=2 ;;
      production) ns=shop tag=3.9 replicas=3 ;;
    esac
    local extra=""
    [ "$env" = production ] && extra="  - ../../secrets/production"
    cat >"$d/overlays/$env/kustomization.yaml" <<EOF
namespace: $ns
resources:
  - namespace.yaml
  - ../../base
$extra
images:
  - name: registry.k8s.io/pause
    newTag: "$tag"
patches:
  - target: {kind: Deployment, name: web}
    patch: |
      - op: replace
        path: /spec/replicas
        value: $replicas
EOF
    cat >"$d/overlays/$env/namespace.yaml" <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $ns
EOF
  done
  cat >"$d/secrets/production/kustomization.yaml" <<'EOF'
# SealedSecrets of production (kubectl gitops seal); safe to commit.
resources: []
EOF
}
