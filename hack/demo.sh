#!/usr/bin/env bash
# make demo: the gitward story on a local control plane. Non-interactive by
# default; DEMO_PAUSE=1 stops between steps. Whatever happens, it tears the
# control plane down and leaves nothing running.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
local_dir=$root/.local

step() {
  printf '\n\033[1m== %s\033[0m\n' "$1"
  if [ "${DEMO_PAUSE:-0}" = 1 ] && [ -t 0 ]; then read -r -p "(press enter) " _; fi
}
run() { printf '$ %s\n' "$*"; "$@"; }

cleanup() { go run ./tests/localcluster/cmd/localcluster down --dir "$local_dir" >/dev/null 2>&1 || true; }
trap cleanup EXIT

step "Start a local control plane: etcd, kube-apiserver, kube-controller-manager on loopback"
run go run ./tests/localcluster/cmd/localcluster up --dir "$local_dir"
export KUBECONFIG=$local_dir/kubeconfig

step "It is a real API server with real controllers"
run "$GITWARD_TOOLS_BIN/kubectl" get namespaces
run "$GITWARD_TOOLS_BIN/kubectl" create deployment hello --image=nginx:1.25 --replicas=2
sleep 2
run "$GITWARD_TOOLS_BIN/kubectl" get deployments,replicasets,pods

step "The binaries"
for b in kubectl-gitops git-gitops gitward-webhook gitward-agent; do run "bin/$b" version; done

step "Coming next"
cat <<'TXT'
The full story lands with the demo issue: kubectl gitops diff, the agent
syncing a local Git repository, a kubectl scale rejected by the webhook with
Git's value in the message, git gitops promote staging production, trace,
seal with the real sealed-secrets controller, check, and rollback.
TXT

step "Tear down"
cleanup
trap - EXIT
echo "demo: done; nothing left running"
