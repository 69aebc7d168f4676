#!/usr/bin/env bash
# make demo: the gitward story on a local control plane.
#
# It starts etcd, kube-apiserver and kube-controller-manager on loopback,
# creates a Git repository (.local/demo/repo, pushed to .local/demo/origin.git)
# with a base and overlays dev, staging and production, runs gitward-webhook
# and gitward-agent as local processes against it, and then does what a
# person would: diff, sync, a rejected kubectl scale, promote, trace, seal
# (opened by the real sealed-secrets controller), check, rollback. Each step
# prints the command, then its real output.
#
# Non-interactive by default (CI=true, no stdin); DEMO_PAUSE=1 stops between
# steps. Whatever happens, the EXIT trap stops every process it started and
# the control plane; the last step checks with pgrep that nothing is left.
# Logs: .local/demo/*.log. Needs `make build tools` first (make demo does it).
# Environment: DEMO_DIR (default .local/demo), GITWARD_BIN (default bin/),
# GITWARD_TOOLS_BIN (default .cache/bin).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tools=${GITWARD_TOOLS_BIN:-$root/.cache/bin}
bin=${GITWARD_BIN:-$root/bin}       # the four binaries (make build)
demo_dir=${DEMO_DIR:-$root/.local/demo}
# shellcheck source=hack/demo/lib.sh
. hack/demo/lib.sh
# shellcheck source=hack/demo/repo.sh
. hack/demo/repo.sh
# shellcheck source=hack/demo/components.sh
. hack/demo/components.sh

for f in "$bin/kubectl-gitops" "$bin/git-gitops" "$bin/gitward-webhook" "$bin/gitward-agent" \
  "$tools/kubectl" "$tools/kube-apiserver" "$tools/sealed-secrets-controller"; do
  [ -x "$f" ] || { echo "demo: $f is missing: run \`make build tools\` (or make demo)" >&2; exit 1; }
done

# A fresh folder; a previous run that was killed hard may have left a cluster.
if [ -x "$demo_dir/bin/localcluster" ]; then "$demo_dir/bin/localcluster" down --dir "$demo_dir/cluster" >/dev/null 2>&1 || true; fi
case $demo_dir in / | "$HOME" | "$root" | "") echo "demo: refusing to use $demo_dir as DEMO_DIR (it is emptied)" >&2; exit 1 ;; esac
rm -rf "$demo_dir"
mkdir -p "$demo_dir/bin"
started=$SECONDS

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_all
  if [ -x "$demo_dir/bin/localcluster" ]; then "$demo_dir/bin/localcluster" down --dir "$demo_dir/cluster" >/dev/null 2>&1 || true; fi
  if [ $rc != 0 ]; then echo "demo: failed (exit $rc); everything it started is stopped; logs in $demo_dir" >&2; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# What a person has on their PATH: kubectl, and the two plugins it and git find.
go build -o "$demo_dir/bin/localcluster" ./tests/localcluster/cmd/localcluster
ln -s "$tools/kubectl" "$demo_dir/bin/kubectl"
ln -s "$bin/kubectl-gitops" "$demo_dir/bin/kubectl-gitops"
ln -s "$bin/git-gitops" "$demo_dir/bin/git-gitops"
ln -s "$bin/gitward-webhook" "$demo_dir/bin/gitward-webhook"
ln -s "$bin/gitward-agent" "$demo_dir/bin/gitward-agent"
export PATH=$demo_dir/bin:$PATH
export GIT_AUTHOR_NAME="Demo" GIT_AUTHOR_EMAIL="demo@example.com" GIT_COMMITTER_NAME="Demo" GIT_COMMITTER_EMAIL="demo@example.com"
export NO_COLOR=1 KUBECACHEDIR=$demo_dir/kube-cache

step "1. A local control plane: etcd, kube-apiserver and kube-controller-manager on 127.0.0.1"
run localcluster up --dir "$demo_dir/cluster"
export KUBECONFIG=$demo_dir/cluster/kubeconfig
run kubectl get namespaces

step "2. A Git repository: a base, overlays dev, staging and production, and gitward.yaml"
repo=$demo_dir/repo origin=$demo_dir/origin.git
git init --quiet --bare --initial-branch=main "$origin"
git init --quiet --initial-branch=main "$repo"
write_repo "$repo"
cd "$repo"
git remote add origin "$origin"
run git add -A
run git commit --quiet -m "shop: dev, staging and production"
run git push --quiet origin main
run find . -path ./.git -prune -o -type f -print
run cat gitward.yaml
run cat overlays/production/kustomization.yaml

step "3. gitward-webhook: rejects any change to a managed object that is not what Git says"
start_webhook "file://$origin"
run kubectl get validatingwebhookconfiguration gitward-webhook

step "4. The sealed-secrets controller, as a cluster would already run it"
start_sealed_secrets

step "5. kubectl gitops diff: what would change if production were applied"
rc=0
run_status kubectl gitops diff --source production --summary || rc=$?
[ $rc = 1 ] || die "kubectl gitops diff exited $rc, want 1 (differences)"

step "6. gitward-agent: pulls main, renders overlays/production, server-side applies"
start_agent "file://$origin"
wait_synced "$(git rev-parse HEAD)"
run kubectl gitops status
run kubectl get deployments,configmaps -n shop
run kubectl gitops diff --source production --summary

step "7. A change by hand is rejected, with Git's value in the message"
run_denied "Git says 3" kubectl scale deployment/web -n shop --replicas=5
run_denied "Git says" kubectl set image deployment/web -n shop web=registry.k8s.io/pause:latest

step "8. git gitops promote staging production: the image moves in Git, the agent applies it"
run git gitops promote staging production
run git log --oneline -1
run git push --quiet origin main
wait_synced "$(git rev-parse HEAD)"
run kubectl get deployment web -n shop -o 'jsonpath={.spec.template.spec.containers[0].image}{"\n"}'

step "9. kubectl gitops trace: which commit and which file declare the live object"
run kubectl gitops trace deployment/web -n shop

step "10. A Secret sealed for the cluster; the real sealed-secrets controller opens it"
run_to "$demo_dir/db-secret.yaml" kubectl create secret generic db -n shop --from-literal=password=s3cr3t --dry-run=client -o yaml
run_to secrets/production/db.yaml kubectl gitops seal --cert "$demo_dir/sealed-secrets-cert.pem" -f "$demo_dir/db-secret.yaml"
run cat secrets/production/db.yaml
printf 'resources:\n  - db.yaml\n' >secrets/production/kustomization.yaml
run git add secrets/production
run git commit --quiet -m "production: db password (sealed)"
run git push --quiet origin main
wait_synced "$(git rev-parse HEAD)"
wait_for "the controller to open SealedSecret shop/db" 60 sealed-secrets kubectl get secret db -n shop
run kubectl get sealedsecret,secret db -n shop
printf "${c_cmd}\$ %s${c_off}\n" "kubectl get secret db -n shop -o jsonpath='{.data.password}' | base64 -d"
pw=$(kubectl get secret db -n shop -o 'jsonpath={.data.password}' | base64 -d)
echo "$pw"
[ "$pw" = s3cr3t ] || die "the opened Secret holds \"$pw\", want s3cr3t" sealed-secrets

step "11. git gitops check: a plaintext Secret committed by mistake is caught before it merges"
run git switch --quiet -c oops
run_to overlays/production/api-key.yaml kubectl create secret generic api-key --from-literal=token=abc123 --dry-run=client -o yaml
sed -i 's|  - namespace.yaml|  - namespace.yaml\n  - api-key.yaml|' overlays/production/kustomization.yaml
run git add -A
run git commit --quiet -m "production: api key"
rc=0
run_status git gitops check || rc=$?
[ $rc = 1 ] || die "git gitops check exited $rc, want 1 (the plaintext Secret)"
say "Never pushed: drop the branch."
run git switch --quiet main
run git branch --quiet -D oops

step "12. git gitops rollback production: undo production's last change in Git"
run git gitops rollback production
run git log --oneline -3
run git push --quiet origin main
wait_synced "$(git rev-parse HEAD)"
run kubectl get deployment web -n shop -o 'jsonpath={.spec.template.spec.containers[0].image}{"\n"}'
run kubectl get secret db -n shop

step "13. Tear down"
cd "$root"
stop_all
run localcluster down --dir "$demo_dir/cluster"
if leftovers; then die "processes are still running (above)"; fi
echo "nothing left running (pgrep -f $demo_dir/ finds nothing)"
printf '\ndemo: done in %ss; logs in %s\n' $((SECONDS - started)) "$demo_dir"
