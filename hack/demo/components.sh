# shellcheck shell=bash
# The demo's components as local processes: gitward-webhook (registered by
# URL with its CA), gitward-agent (woken by a push hook of the Git origin),
# and the real sealed-secrets controller. Each is waited for by polling its
# readiness and logs to $demo_dir/<name>.log.

# quiet ARGS...: set-up a person would not type (kubectl gitops install does
# it in a real cluster); output is dropped, errors are not.
quiet() { "$@" >/dev/null; }

# start_webhook REPO_URL: serve on 127.0.0.1 with a certificate for that
# address, track source production, and register the
# ValidatingWebhookConfiguration of manifests/webhook by URL and caBundle.
start_webhook() {
  local url=$1 pki=$demo_dir/webhook-pki
  mkdir -p "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=gitward-demo-ca" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$pki/tls.key" -out "$pki/tls.csr" 2>/dev/null
  openssl x509 -req -in "$pki/tls.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 1 \
    -extfile <(printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n') -out "$pki/tls.crt" 2>/dev/null
  quiet kubectl create namespace gitward-system
  local port probe
  port=$(free_port) probe=$(free_port)
  local args=(serve --source production --repo "$url" --branch main --path overlays/production --mode enforce
    --addr "127.0.0.1:$port" --probe-addr "127.0.0.1:$probe" --tls-cert "$pki/tls.crt" --tls-key "$pki/tls.key"
    --poll-interval 2s --min-fetch-interval 200ms --kubeconfig "$KUBECONFIG" -v 1
    --agent-user localcluster-admin --controller-user system:serviceaccount:kube-system:sealed-secrets-controller)
  say "A local process here, with a certificate for 127.0.0.1 (in a cluster: kubectl gitops install)"
  say "The agent below runs with the admin's kubeconfig, so that identity is the agent's (in a cluster: its ServiceAccount)"
  say "The sealed-secrets controller writes the Secrets its SealedSecrets own: a controller identity"
  show gitward-webhook "${args[@]}" "> webhook.log &"
  start webhook gitward-webhook "${args[@]}"
  wait_for "gitward-webhook to be ready" 60 webhook curl -fsS "http://127.0.0.1:$probe/readyz"
  say "Registered by URL with its CA: manifests/webhook/validatingwebhookconfiguration.yaml, clientConfig replaced"
  kubectl create -f "$root/manifests/webhook/validatingwebhookconfiguration.yaml" --dry-run=client -o json |
    jq --arg url "https://127.0.0.1:$port/validate" --arg ca "$(base64 -w0 <"$pki/ca.crt")" \
      '.webhooks[].clientConfig = {url: $url, caBundle: $ca}' |
    quiet kubectl create -f -
}

# start_agent REPO_URL: sync source production with a kubeconfig; the
# origin's post-receive hook POSTs to the agent's push webhook, as a Git
# server would, so a push is applied at once.
start_agent() {
  local url=$1 probe hook
  probe=$(free_port) hook=$(free_port)
  head -c 24 /dev/urandom | base64 >"$demo_dir/hook-secret"
  cat >"$demo_dir/origin.git/hooks/post-receive" <<HOOK
#!/bin/sh
curl -fsS -X POST -H "Authorization: Bearer \$(cat '$demo_dir/hook-secret')" http://127.0.0.1:$hook/hooks/git >/dev/null 2>&1 || true
HOOK
  chmod +x "$demo_dir/origin.git/hooks/post-receive"
  local args=(run --source production --repo "$url" --branch main --path overlays/production --install-crd
    --leader-elect=false --interval 1m --debounce 1s --metrics-bind-address 0
    --health-probe-bind-address "127.0.0.1:$probe" --webhook-bind-address "127.0.0.1:$hook"
    --webhook-secret-file "$demo_dir/hook-secret" --kubeconfig "$KUBECONFIG")
  say "A local process here (in a cluster: kubectl gitops install); a push to origin wakes it"
  show gitward-agent "${args[@]}" "> agent.log &"
  start agent gitward-agent "${args[@]}"
  wait_for "gitward-agent to be ready" 60 agent curl -fsS "http://127.0.0.1:$probe/readyz"
}

# applied: the commit the agent last applied for source production.
applied() {
  kubectl get sourcestates.gitward.dev production -n gitward-system -o 'jsonpath={.status.lastAppliedCommit}' 2>/dev/null
}

# applied_is COMMIT: whether the agent last applied COMMIT.
applied_is() { [ "$(applied)" = "$1" ]; }

# wait_synced COMMIT: wait until the agent reports COMMIT applied.
wait_synced() {
  local want=$1 t0=$SECONDS
  say "waiting for the agent to apply ${want:0:7} …"
  wait_for "the agent to apply ${want:0:7}" 120 agent applied_is "$want"
  say "applied ${want:0:7} after $((SECONDS - t0))s"
}

# start_sealed_secrets: the real controller (built by make tools) as a
# process. It only knows in-cluster configuration, so it runs in its own user
# and mount namespaces with a folder holding a ServiceAccount token and the
# API server's CA bind-mounted over /var/run; nothing on the machine changes.
# Its certificate is fetched over HTTP into sealed-secrets-cert.pem.
start_sealed_secrets() {
  local mod crd run_dir sa port metrics server
  mod=$(cd "$root" && go list -m -f '{{.Dir}}' github.com/bitnami-labs/sealed-secrets)
  crd=$mod/helm/sealed-secrets/crds/bitnami.com_sealedsecrets.yaml
  say "Set-up a Helm chart would do: the SealedSecret CRD, a ServiceAccount bound to cluster-admin"
  quiet kubectl create -f "$crd"
  quiet kubectl create serviceaccount sealed-secrets-controller -n kube-system
  quiet kubectl create clusterrolebinding demo-sealed-secrets --clusterrole=cluster-admin \
    --serviceaccount=kube-system:sealed-secrets-controller
  run_dir=$demo_dir/sealed-secrets-run
  sa=$run_dir/secrets/kubernetes.io/serviceaccount
  mkdir -p "$sa"
  kubectl create token sealed-secrets-controller -n kube-system --duration=1h >"$sa/token"
  kubectl config view --raw -o 'jsonpath={.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$sa/ca.crt"
  printf kube-system >"$sa/namespace"
  server=$(kubectl config view --raw -o 'jsonpath={.clusters[0].cluster.server}')
  server=${server#https://}
  port=$(free_port) metrics=$(free_port)
  show sealed-secrets-controller --listen-addr=127.0.0.1:$port --key-renew-period=0 "> sealed-secrets.log &"
  start sealed-secrets env -i "PATH=$PATH" "KUBERNETES_SERVICE_HOST=${server%:*}" "KUBERNETES_SERVICE_PORT=${server##*:}" \
    POD_NAMESPACE=kube-system \
    unshare --user --map-root-user --mount sh -c 'mount --bind "$1" "$(readlink -f /var/run)" && shift && exec "$@"' \
    sh "$run_dir" "$tools/sealed-secrets-controller" "--listen-addr=127.0.0.1:$port" \
    "--listen-metrics-addr=127.0.0.1:$metrics" --key-renew-period=0
  wait_for "the sealed-secrets controller to serve its certificate" 120 sealed-secrets \
    curl -fsS -o "$demo_dir/sealed-secrets-cert.pem" "http://127.0.0.1:$port/v1/cert.pem"
  run_to "$demo_dir/sealed-secrets-cert.pem" curl -fsS "http://127.0.0.1:$port/v1/cert.pem"
}
