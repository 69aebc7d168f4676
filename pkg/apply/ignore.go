package apply

import (
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gitward/gitward/pkg/admit"
)

// Controller is a field manager whose fields the agent leaves alone on the
// objects it applies: a controller that writes a field of an object it
// does not own, such as the HorizontalPodAutoscaler's spec.replicas of its
// scale target. Subresource "" matches every subresource.
type Controller struct {
	Manager     string
	Subresource string
}

// DefaultControllers are the controllers honoured by default: the
// HorizontalPodAutoscaler, which kube-controller-manager runs and which
// writes spec.replicas through the scale subresource.
func DefaultControllers() []Controller {
	return []Controller{
		{Manager: "kube-controller-manager", Subresource: "scale"},
		{Manager: "horizontal-pod-autoscaler"},
	}
}

// leaveToOthers removes from it what the apply must not set back, given the
// live object's managed fields:
//   - a path of an ignore rule (Options.Ignore, the webhook's rules) that a
//     manager other than this applier owns: omitted from the apply, server-
//     side apply leaves that manager's value, and the applier's own
//     ownership, if it had any, is released. A path nobody else owns keeps
//     Git's value (the first apply sets it);
//   - every field a known controller (Options.Controllers) owns.
//
// The digest annotation stays Git's: it was computed before, so an
// ignored field never makes an object look changed.
func (a *Applier) leaveToOthers(it *item, managed []metav1.ManagedFieldsEntry) {
	if len(managed) == 0 {
		return
	}
	obj := it.Object.Object.Object
	var trees []map[string]any // other managers' fields, parsed on first use
	parsed := false
	for _, r := range a.o.Ignore {
		if !ruleFor(r, it) {
			continue
		}
		if !parsed {
			trees, parsed = a.otherTrees(managed, nil), true
		}
		for _, t := range trees {
			if ownsPath(t, r.Path) {
				removePath(obj, r.Path)
				break
			}
		}
	}
	if len(a.o.Controllers) == 0 {
		return
	}
	for _, t := range a.otherTrees(managed, a.o.Controllers) {
		removeOwned(obj, t)
	}
}

// ruleFor reports whether r applies to it's kind.
func ruleFor(r admit.IgnoreRule, it *item) bool {
	return (r.Group == "*" || r.Group == it.gvk.Group) && (r.Kind == "*" || r.Kind == it.gvk.Kind)
}

// otherTrees returns the fieldsV1 trees of the entries of managers other
// than this applier's apply; with only set, just those of the controllers
// it lists.
func (a *Applier) otherTrees(managed []metav1.ManagedFieldsEntry, only []Controller) []map[string]any {
	var out []map[string]any
	for _, e := range managed {
		if e.FieldsV1 == nil || (e.Manager == a.o.FieldManager && e.Operation == metav1.ManagedFieldsOperationApply) {
			continue
		}
		if only != nil && !isController(only, e) {
			continue
		}
		var t map[string]any
		if json.Unmarshal(e.FieldsV1.GetRawBytes(), &t) == nil {
			out = append(out, t)
		}
	}
	return out
}

func isController(cs []Controller, e metav1.ManagedFieldsEntry) bool {
	for _, c := range cs {
		if c.Manager == e.Manager && (c.Subresource == "" || c.Subresource == e.Subresource) {
			return true
		}
	}
	return false
}

// ownsPath reports whether a fieldsV1 tree owns p or a field below it.
// Paths through lists are not followed (the tree names list items by key,
// not by position): such a rule is not honoured by the apply.
func ownsPath(tree map[string]any, p admit.Path) bool {
	node := tree
	for _, s := range p {
		if s.IsIndex {
			return false
		}
		next, ok := node["f:"+s.Key].(map[string]any)
		if !ok {
			return false
		}
		node = next
	}
	return true
}

// removePath deletes the map key at p from obj (nothing when absent or
// when p goes through a list).
func removePath(obj map[string]any, p admit.Path) {
	m := obj
	for i, s := range p {
		if s.IsIndex {
			return
		}
		if i == len(p)-1 {
			delete(m, s.Key)
			return
		}
		next, ok := m[s.Key].(map[string]any)
		if !ok {
			return
		}
		m = next
	}
}

// removeOwned deletes from obj the leaves a fieldsV1 tree owns, following
// map keys ("f:"); list members are left (their keys are needed to apply
// the rest of the list).
func removeOwned(obj map[string]any, tree map[string]any) {
	for k, sub := range tree {
		if len(k) < 2 || k[:2] != "f:" {
			continue
		}
		key := k[2:]
		subTree, _ := sub.(map[string]any)
		child, isMap := obj[key].(map[string]any)
		switch {
		case leafNode(subTree):
			delete(obj, key)
		case isMap:
			removeOwned(child, subTree)
		}
	}
}

// leafNode reports whether a fieldsV1 node owns a value as a whole.
func leafNode(n map[string]any) bool {
	for k := range n {
		if k != "." {
			return false
		}
	}
	return true
}
