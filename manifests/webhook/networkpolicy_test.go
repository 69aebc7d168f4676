package webhook_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/gitward/gitward/pkg/render"
)

// TestNetworkPolicy: the webhook port admits only the API server's range
// and the probe port stays open.
func TestNetworkPolicy(t *testing.T) {
	objs := objects(t)
	np := convert[networkingv1.NetworkPolicy](t, objs["NetworkPolicy/gitward-webhook"])
	if np.Namespace != "gitward-system" || np.Spec.PodSelector.MatchLabels["app.kubernetes.io/name"] != "gitward-webhook" {
		t.Errorf("namespace %q, pod selector %v: not the webhook's pods", np.Namespace, np.Spec.PodSelector)
	}
	if len(np.Spec.PolicyTypes) != 1 || np.Spec.PolicyTypes[0] != networkingv1.PolicyTypeIngress {
		t.Errorf("policy types %v, want [Ingress]", np.Spec.PolicyTypes)
	}
	open := map[int32][]networkingv1.NetworkPolicyPeer{}
	for _, rule := range np.Spec.Ingress {
		for _, p := range rule.Ports {
			open[p.Port.IntVal] = rule.From
		}
	}
	if from := open[9443]; len(from) != 1 || from[0].IPBlock == nil || from[0].IPBlock.CIDR != "0.0.0.0/0" {
		t.Errorf("port 9443 from %+v, want only one ipBlock (0.0.0.0/0 until an overlay sets the API server's range)", from)
	}
	if from, ok := open[8080]; !ok || len(from) != 0 {
		t.Errorf("probe port 8080: open=%v from %+v, want open to all", ok, from)
	}
	if len(open) != 2 {
		t.Errorf("ports %v, want 9443 and 8080 only", open)
	}
}

// TestNetworkPolicyCIDRFromAnOverlay: an overlay sets the range with the
// patch networkpolicy.yaml shows.
func TestNetworkPolicyCIDRFromAnOverlay(t *testing.T) {
	tree := fstest.MapFS{"overlay/kustomization.yaml": {Data: []byte(`resources: [../base]
patches:
  - target: {kind: NetworkPolicy, name: gitward-webhook}
    patch: |
      - {op: replace, path: /spec/ingress/0/from/0/ipBlock/cidr, value: 172.16.0.0/28}
`)}}
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tree["base/"+f] = &fstest.MapFile{Data: data}
	}
	res, err := render.FS(context.Background(), tree, "overlay", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range res.Objects {
		if u.GetKind() == "NetworkPolicy" {
			np := convert[networkingv1.NetworkPolicy](t, u)
			if got := np.Spec.Ingress[0].From[0].IPBlock.CIDR; got != "172.16.0.0/28" {
				t.Errorf("cidr %q, want the overlay's 172.16.0.0/28", got)
			}
			return
		}
	}
	t.Fatal("no NetworkPolicy")
}
