package install

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing/fstest"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/render"
)

// Names in the bases that the overlays refer to.
const (
	webhookName      = "gitward-webhook"
	webhookImage     = "ghcr.io/gitward/gitward-webhook"
	agentImage       = "ghcr.io/gitward/gitward-agent"
	configMount      = "/etc/gitward/gitward.yaml"
	certManagerMount = "/etc/gitward/tls"
	tlsSecret        = "gitward-webhook-tls"
)

// Result is the rendered installation.
type Result struct {
	// Objects in apply order of the bases: the webhook's, then the agent's
	// (a Namespace both declare appears once).
	Objects []*unstructured.Unstructured
}

// Render renders the webhook and agent bases in bases (package manifests'
// FS) for o.
func Render(ctx context.Context, bases fs.FS, o Options) (*Result, error) {
	o.Complete()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	gitwardYAML, err := configYAML(o.Sources)
	if err != nil {
		return nil, err
	}
	tree := fstest.MapFS{}
	if err := fs.WalkDir(bases, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(bases, p)
		tree[p] = &fstest.MapFile{Data: data, Mode: 0o644}
		return err
	}); err != nil {
		return nil, fmt.Errorf("install: read the embedded bases: %w", err)
	}
	overlays, err := o.overlays(gitwardYAML)
	if err != nil {
		return nil, err
	}
	for p, data := range overlays {
		tree[p] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	res := &Result{}
	seen := map[string]bool{}
	for _, dir := range o.bases() {
		r, err := render.FS(ctx, tree, dir, render.Options{})
		if err != nil {
			return nil, fmt.Errorf("install: %w", err)
		}
		for _, u := range r.Objects {
			key := u.GroupVersionKind().GroupKind().String() + "/" + u.GetNamespace() + "/" + u.GetName()
			if seen[key] {
				continue
			}
			seen[key] = true
			res.Objects = append(res.Objects, u)
		}
	}
	for _, u := range res.Objects {
		o.fixNamespaces(u)
	}
	return res, nil
}

// bases are the folders Render renders, in apply order of the bases.
func (o *Options) bases() []string {
	var dirs []string
	if o.webhook() {
		dirs = append(dirs, "install/webhook")
	}
	if o.policy() {
		dirs = append(dirs, "vap") // cluster-scoped, nothing to set: the base as it is
	}
	return append(dirs, "install/agent")
}

// YAML prints the objects as a multi-document YAML stream.
func (r *Result) YAML() ([]byte, error) {
	var b bytes.Buffer
	for i, u := range r.Objects {
		if i > 0 {
			b.WriteString("---\n")
		}
		data, err := yaml.Marshal(u.Object)
		if err != nil {
			return nil, fmt.Errorf("install: %s %s: %w", u.GetKind(), u.GetName(), err)
		}
		b.Write(data)
	}
	return b.Bytes(), nil
}

// configYAML is the gitward.yaml both programs read.
func configYAML(sources []config.Source) ([]byte, error) {
	list := make([]map[string]string, len(sources))
	for i, s := range sources {
		list[i] = map[string]string{"name": s.Name, "repo": s.Repo, "branch": s.Branch, "path": s.Path}
	}
	data, err := yaml.Marshal(map[string]any{"apiVersion": config.APIVersion, "kind": config.Kind, "sources": list})
	if err != nil {
		return nil, err
	}
	if _, err := config.Parse(data, "gitward.yaml (generated from the sources)"); err != nil {
		return nil, fmt.Errorf("install: %w", err)
	}
	return data, nil
}

// fixNamespaces moves what the bases point at in the default namespace to
// o.Namespace, where kustomize's namespace transformer does not: the
// webhook's Service reference and the namespace selectors that exclude
// gitward's own namespace (the webhooks' and the policy floor binding's,
// both generated from pkg/admitscope), and the ServiceAccount subjects of
// bindings.
func (o *Options) fixNamespaces(u *unstructured.Unstructured) {
	if o.Namespace == DefaultNamespace {
		return
	}
	swap := func(m map[string]any, key string) {
		if m[key] == DefaultNamespace {
			m[key] = o.Namespace
		}
	}
	swapExcluded := func(selector any) {
		for _, e := range asSlice(asMap(selector)["matchExpressions"]) {
			values := asSlice(asMap(e)["values"])
			for i, v := range values {
				if v == DefaultNamespace {
					values[i] = o.Namespace
				}
			}
		}
	}
	switch u.GetKind() {
	case "ValidatingWebhookConfiguration":
		for _, h := range asSlice(u.Object["webhooks"]) {
			hm := asMap(h)
			swap(asMap(asMap(hm["clientConfig"])["service"]), "namespace")
			swapExcluded(hm["namespaceSelector"])
		}
	case "ValidatingAdmissionPolicyBinding":
		swapExcluded(asMap(asMap(u.Object["spec"])["matchResources"])["namespaceSelector"])
	case "RoleBinding", "ClusterRoleBinding":
		for _, s := range asSlice(u.Object["subjects"]) {
			if sm := asMap(s); sm["kind"] == "ServiceAccount" {
				swap(sm, "namespace")
			}
		}
	}
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		return map[string]any{}
	}
	return m
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// overlays returns the generated files: a kustomization per base.
func (o *Options) overlays(gitwardYAML []byte) (map[string][]byte, error) {
	name, tag, err := splitImage(o.Image)
	if err != nil {
		return nil, err
	}
	imageField := "newTag: " + quote(tag)
	if strings.HasPrefix(tag, "@") {
		imageField = "digest: " + quote(strings.TrimPrefix(tag, "@"))
	}
	images := func(base string) string {
		return fmt.Sprintf("images:\n- name: %s\n  newName: %s\n  %s\n", base, quote(name), imageField)
	}
	ns := "namespace: " + quote(o.Namespace) + "\n"
	head := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"

	webhook := head + ns + "resources:\n- ../../webhook\n"
	if o.CertManager {
		webhook += "- certmanager.yaml\n"
	}
	webhook += images(webhookImage) +
		"configMapGenerator:\n- name: gitward-webhook-config\n  behavior: replace\n  files: [gitward.yaml]\n" +
		"patches:\n- path: deployment.yaml\n"
	if o.CertManager {
		webhook += "- path: vwc.yaml\n"
	}
	agent := head + ns + "resources:\n- ../../agent\n" + images(agentImage) +
		"configMapGenerator:\n- name: gitward-config\n  files: [gitward.yaml]\n" +
		"patches:\n- path: deployment.yaml\n"

	files := map[string][]byte{
		"install/webhook/kustomization.yaml": []byte(webhook),
		"install/webhook/gitward.yaml":       gitwardYAML,
		"install/webhook/deployment.yaml":    []byte(o.webhookPatch()),
		"install/agent/kustomization.yaml":   []byte(agent),
		"install/agent/gitward.yaml":         gitwardYAML,
		"install/agent/deployment.yaml":      []byte(agentPatch),
	}
	if o.CertManager {
		files["install/webhook/certmanager.yaml"] = []byte(o.certManagerObjects())
		files["install/webhook/vwc.yaml"] = []byte(o.vwcPatch())
	}
	return files, nil
}

// webhookPatch sets the webhook's command, arguments and, with
// cert-manager, the certificate volume.
func (o *Options) webhookPatch() string {
	args := []string{"serve", "--config=" + configMount, "--mode=" + o.WebhookMode, "--break-glass-group=gitward:break-glass"}
	if o.CertManager {
		args = append(args, "--cert-dir="+certManagerMount)
	} else {
		args = append(args, "--self-bootstrap", "--webhook-config-name="+webhookName, "--cert-dir=/tmp/serving-certs")
	}
	p := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: gitward-webhook
spec:
  template:
    spec:
      containers:
      - name: webhook
        command: [gitward-webhook]
        args: ` + flowList(args) + "\n"
	if o.CertManager {
		p += `        volumeMounts:
        - {name: tls, mountPath: ` + certManagerMount + `, readOnly: true}
      volumes:
      - name: tls
        secret: {secretName: ` + tlsSecret + `}
`
	}
	return p
}

// agentPatch sets the agent's command and arguments: the sources, with
// their repositories, come from the generated gitward.yaml.
var agentPatch = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: gitward-agent
spec:
  template:
    spec:
      containers:
      - name: agent
        command: [gitward-agent]
        args: ` + flowList([]string{"run", "--gitward-config=" + configMount,
	"--git-token-file=/var/run/secrets/gitward/git/token",
	"--webhook-secret-file=/var/run/secrets/gitward/webhook/secret",
	"--work-dir=/work", "--interval=5m"}) + "\n"

// certManagerObjects are a self-signed Issuer and the webhook's Certificate.
func (o *Options) certManagerObjects() string {
	svc := webhookName + "." + o.Namespace + ".svc"
	return `apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: gitward-webhook-selfsigned
spec:
  selfSigned: {}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: gitward-webhook
spec:
  secretName: ` + tlsSecret + `
  dnsNames: [` + svc + `, ` + svc + `.cluster.local]
  issuerRef: {name: gitward-webhook-selfsigned, kind: Issuer}
  privateKey: {algorithm: ECDSA, size: 256, rotationPolicy: Always}
`
}

// vwcPatch asks cert-manager's CA injector to fill in the caBundle.
func (o *Options) vwcPatch() string {
	return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: gitward-webhook
  annotations:
    cert-manager.io/inject-ca-from: ` + o.Namespace + `/gitward-webhook
`
}

func flowList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// quote writes s as a double-quoted YAML scalar.
func quote(s string) string {
	data, _ := yaml.Marshal(s) // a string always marshals
	v := strings.TrimSpace(string(data))
	if strings.HasPrefix(v, `"`) || strings.HasPrefix(v, `'`) {
		return v
	}
	return `"` + v + `"`
}
