package install

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"testing/fstest"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/render"
)

// Result is the rendered installation.
type Result struct {
	// Objects in apply order of the bases: the webhook's, then the agent's
	// (a Namespace both declare appears once).
	Objects []*unstructured.Unstructured
	// Notes are what the user should know about this install (a default
	// image by tag, no NetworkPolicy, ...), one sentence each.
	Notes []string
}

// Render renders the webhook and agent bases in bases (package manifests'
// FS) for o: kustomize sets the namespace, the image and the generated
// gitward.yaml; the rest is set on the typed objects (k8s.io/api).
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
			if u, err = o.edit(u); err != nil {
				return nil, err
			}
			res.Objects = append(res.Objects, u)
		}
		if dir == overlayWebhookDir && o.CertManager {
			res.Objects = append(res.Objects, o.certManagerObjects()...)
		}
	}
	if len(o.APIServerCIDRs) > 0 {
		np, err := o.agentNetworkPolicy()
		if err != nil {
			return nil, err
		}
		res.Objects = append(res.Objects, np)
	} else {
		res.Notes = append(res.Notes, "no NetworkPolicy for the agent: give --api-server-cidr and --git-cidr to allow it only those (and DNS)")
	}
	for _, u := range res.Objects {
		o.fixNamespaces(u)
	}
	return res, nil
}

// edit sets on a rendered object what the overlays do not.
func (o *Options) edit(u *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	switch {
	case u.GetKind() == "Deployment" && u.GetName() == webhookName:
		return editDeployment(u, o.webhookDeployment)
	case u.GetKind() == "Deployment" && u.GetName() == agentName:
		return editDeployment(u, o.agentDeployment)
	case u.GetKind() == "ValidatingWebhookConfiguration" && u.GetName() == webhookName:
		return o.editVWC(u)
	}
	return u, nil
}

// bases are the folders Render renders, in apply order of the bases.
func (o *Options) bases() []string {
	var dirs []string
	if o.webhook() {
		dirs = append(dirs, overlayWebhookDir)
	}
	if o.policy() {
		dirs = append(dirs, "vap") // cluster-scoped, nothing to set: the base as it is
	}
	return append(dirs, overlayAgentDir)
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
	cfg := struct {
		APIVersion string          `json:"apiVersion"`
		Kind       string          `json:"kind"`
		Sources    []config.Source `json:"sources"`
	}{config.APIVersion, config.Kind, sources}
	data, err := yaml.Marshal(cfg)
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
