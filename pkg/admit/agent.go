package admit

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gitward/gitward/pkg/provenance"
)

// digestPath is metadata.annotations[gitward.dev/digest].
var digestPath = Path{{Key: "metadata"}, {Key: "annotations"}, {Key: provenance.AnnotationDigest}}

// agentManager is the field manager only the agent may write with.
func (d *Decider) agentManager() string {
	if d.AgentFieldManager != "" {
		return d.AgentFieldManager
	}
	return provenance.FieldManager
}

// ruleAgentManager denies a request that writes as the agent's field
// manager from another identity: the agent takes fields that manager owns
// for its own, and would report an object applied that a person froze.
// Writing as it is naming it in the request's options, or growing what its
// managedFields entries own (a client may pick its manager name from its
// User-Agent). A dry run writes nothing and passes (kubectl gitops diff
// dry-runs as the agent to show what it would do).
func ruleAgentManager(_ context.Context, r *review) ([]string, error) {
	d := r.decider
	if r.req.DryRun || d.Agent.Match(r.req.User) {
		return nil, nil
	}
	fm := d.agentManager()
	if r.req.FieldManager != fm && !managerGrew(objectOf(r.old), objectOf(r.obj), fm) {
		return nil, nil
	}
	return nil, deny(ReasonAgentManager, field.ErrorList{problem(nil, fmt.Sprintf(
		"field manager %q is the gitward agent's; %s may not write with it", fm, r.req.User.Username))})
}

// ruleDigest requires the digest annotation, when the request carries one,
// to be Git's digest of the object at the commit: the agent skips objects
// whose digest matches, so a made-up digest would freeze an object.
func ruleDigest(ctx context.Context, r *review) ([]string, error) {
	got, ok := annotationOf(r.obj, provenance.AnnotationDigest)
	if !ok {
		return nil, nil
	}
	ds, isDigester := r.src.(Digester)
	if !isDigester {
		return nil, nil
	}
	want, found, err := ds.DeclaredDigest(ctx, r.commit, r.key)
	if err != nil || !found {
		return nil, err
	}
	if got != want {
		return nil, deny(ReasonDiffers, field.ErrorList{differs(digestPath, want, got)})
	}
	return nil, nil
}

// managerGrew reports whether new's managedFields entries of manager own a
// field old's do not, or name an operation old's do not.
func managerGrew(old, new map[string]any, manager string) bool {
	was := managerTrees(old, manager)
	for op, t := range managerTrees(new, manager) {
		w, ok := was[op]
		if !ok || !subtree(t, w) {
			return true
		}
	}
	return false
}

// managerTrees returns obj's fieldsV1 trees of manager by operation and
// subresource.
func managerTrees(obj map[string]any, manager string) map[string]map[string]any {
	md, _ := obj["metadata"].(map[string]any)
	entries, _ := md["managedFields"].([]any)
	out := map[string]map[string]any{}
	for _, e := range entries {
		m, _ := e.(map[string]any)
		if name, _ := m["manager"].(string); name != manager {
			continue
		}
		op, _ := m["operation"].(string)
		sub, _ := m["subresource"].(string)
		tree, _ := m["fieldsV1"].(map[string]any)
		if tree == nil {
			tree = map[string]any{}
		}
		out[op+"/"+sub] = tree
	}
	return out
}

// subtree reports whether every path of fieldsV1 tree a is in b.
func subtree(a, b map[string]any) bool {
	for k, v := range a {
		bv, ok := b[k]
		if !ok {
			return false
		}
		am, _ := v.(map[string]any)
		bm, _ := bv.(map[string]any)
		if !subtree(am, bm) {
			return false
		}
	}
	return true
}
