package check

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitward/gitward/pkg/policy"
)

func objOf(u *unstructured.Unstructured) *Object {
	return objectOf(u.GetAPIVersion(), u.GetKind(), u.GetNamespace(), u.GetName())
}

// checkSecrets reports plaintext Secrets and credentials in ConfigMaps.
func checkSecrets(er *EnvironmentReport, objs []*unstructured.Unstructured) {
	for i, o := range objs {
		for _, h := range secretHits(o) {
			var msg string
			if h.Key != "" {
				msg = fmt.Sprintf("%s %s: data key %q %s", o.GetKind(), nsName(o), h.Key, h.Reason)
			} else {
				msg = fmt.Sprintf("%s %s: %s", o.GetKind(), nsName(o), h.Reason)
			}
			er.add(Finding{Kind: KindPlaintextSecret, Status: policy.StatusFail, Object: objOf(o),
				File: er.fileOf(i), Key: h.Key, Message: msg})
		}
	}
}

// objectKey identifies an object in a rendering, as the API server does.
type objectKey struct {
	gk        schema.GroupKind
	namespace string
	name      string
}

// checkDuplicates reports an object rendered more than once.
func checkDuplicates(er *EnvironmentReport, objs []*unstructured.Unstructured) {
	first := map[objectKey]int{}
	for i, o := range objs {
		k := objectKey{o.GroupVersionKind().GroupKind(), o.GetNamespace(), o.GetName()}
		j, seen := first[k]
		if !seen {
			first[k] = i
			continue
		}
		where := "twice"
		if a, b := er.fileOf(j), er.fileOf(i); a != "" || b != "" {
			where = fmt.Sprintf("twice, in %s and in %s", orUnknown(a), orUnknown(b))
		}
		er.add(Finding{Kind: KindDuplicate, Status: policy.StatusFail, Object: objOf(o), File: er.fileOf(i),
			Message: fmt.Sprintf("%s %s is rendered %s; the later one would overwrite the earlier; keep one", o.GetKind(), nsName(o), where)})
	}
}

// checkNamespaces reports namespaced objects without a namespace: they
// would land in the applier's default namespace.
// checkNamespaces reports namespaced objects without a namespace, unless
// an Argo CD Application deploys the environment's folder to destination
// (its namespace is then the Application's, as Argo CD applies it).
func checkNamespaces(er *EnvironmentReport, objs []*unstructured.Unstructured, destination string) {
	sc := newScopes(objs)
	for i, o := range objs {
		if o.GetNamespace() != "" || destination != "" {
			continue
		}
		gk := o.GroupVersionKind().GroupKind()
		if sc.of(gk) != ScopeNamespaced {
			continue
		}
		er.add(Finding{Kind: KindMissingNamespace, Status: policy.StatusFail, Object: objOf(o), File: er.fileOf(i),
			Message: fmt.Sprintf("%s %s is namespaced but has no namespace, so it would land in whatever namespace the applier defaults to; set metadata.namespace, or namespace: in %s/kustomization.yaml",
				o.GetKind(), o.GetName(), er.Path)})
	}
}

func nsName(o *unstructured.Unstructured) string {
	if o.GetNamespace() == "" {
		return o.GetName()
	}
	return o.GetNamespace() + "/" + o.GetName()
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown file"
	}
	return s
}
