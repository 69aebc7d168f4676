package diff

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// DefaultContext is the number of unchanged lines shown around a change.
const DefaultContext = 3

// Options configures Objects.
type Options struct {
	// Masker masks Secret values on both sides. Nil: a new random Masker.
	Masker *Masker
	// Context is the number of context lines in a unified diff; 0 means
	// DefaultContext, a negative value none.
	Context int
	// BeforeLabel and AfterLabel name the two sides in diff headers;
	// defaults "before" and "after" (a cluster diff uses "live" and "git").
	BeforeLabel, AfterLabel string
}

func (o *Options) complete() error {
	if o.Masker == nil {
		m, err := NewMasker()
		if err != nil {
			return err
		}
		o.Masker = m
	}
	switch {
	case o.Context == 0:
		o.Context = DefaultContext
	case o.Context < 0:
		o.Context = 0
	}
	if o.BeforeLabel == "" {
		o.BeforeLabel = "before"
	}
	if o.AfterLabel == "" {
		o.AfterLabel = "after"
	}
	return nil
}

// ObjectDiff is the difference of one object.
type ObjectDiff struct {
	Key    Key    `json:"key"`
	Action Action `json:"action"`
	// APIVersion of the object ("after" side, else "before").
	APIVersion string `json:"apiVersion"`
	// Fields are the differing fields of a changed object, like
	// ".spec.replicas" (server-managed metadata left out).
	Fields []string `json:"fields,omitempty"`
	// Managers own differing fields of the "before" object (set when it
	// carries metadata.managedFields, i.e. it came from a cluster).
	Managers []Manager `json:"managers,omitempty"`
	// Diff is the unified diff of the masked YAML, with headers.
	Diff string `json:"diff"`
}

// Result is the difference of two sets of objects, sorted by key.
type Result struct {
	Objects []ObjectDiff `json:"objects"`
	// Unchanged counts the objects present and equal on both sides.
	Unchanged int `json:"unchanged"`
	// PruneSource is the source whose labelled objects were looked for as
	// deletions ("" when none was).
	PruneSource string `json:"-"`
	// AmbiguousSources, with LiveOptions.InferSource, are the several
	// sources the live objects carry (so none was chosen for pruning).
	AmbiguousSources []string `json:"-"`
}

// Objects compares before with after by Key. Equal objects are counted, not
// listed. Neither input is modified. A nil entry is ignored; when a key
// repeats on one side, the last object wins.
func Objects(before, after []*unstructured.Unstructured, o Options) (*Result, error) {
	if err := o.complete(); err != nil {
		return nil, err
	}
	b, a := index(before), index(after)
	res := &Result{}
	for k, av := range a {
		d, changed, err := compare(k, b[k], av, &o)
		if err != nil {
			return nil, err
		}
		if changed {
			res.Objects = append(res.Objects, d)
		} else {
			res.Unchanged++
		}
	}
	for k, bv := range b {
		if _, ok := a[k]; ok {
			continue
		}
		d, _, err := compare(k, bv, nil, &o)
		if err != nil {
			return nil, err
		}
		res.Objects = append(res.Objects, d)
	}
	res.sort()
	return res, nil
}

// Add appends the differences of other to r (keys must not overlap) and
// keeps r sorted.
func (r *Result) Add(other *Result) {
	r.Objects = append(r.Objects, other.Objects...)
	r.Unchanged += other.Unchanged
	r.sort()
}

func (r *Result) sort() {
	slices.SortFunc(r.Objects, func(x, y ObjectDiff) int {
		switch {
		case x.Key.less(y.Key):
			return -1
		case y.Key.less(x.Key):
			return 1
		}
		return 0
	})
}

func index(objs []*unstructured.Unstructured) map[Key]*unstructured.Unstructured {
	m := make(map[Key]*unstructured.Unstructured, len(objs))
	for _, u := range objs {
		if u != nil {
			m[KeyOf(u)] = u
		}
	}
	return m
}

// Compare returns the difference of one object seen before and after (either
// may be nil, not both) and whether there is one.
func Compare(before, after *unstructured.Unstructured, o Options) (ObjectDiff, bool, error) {
	if err := o.complete(); err != nil {
		return ObjectDiff{}, false, err
	}
	ref := after
	if ref == nil {
		ref = before
	}
	if ref == nil {
		return ObjectDiff{}, false, fmt.Errorf("diff: Compare needs an object on one side")
	}
	return compare(KeyOf(ref), before, after, &o)
}

func compare(k Key, before, after *unstructured.Unstructured, o *Options) (ObjectDiff, bool, error) {
	d := ObjectDiff{Key: k}
	switch {
	case before == nil:
		d.Action, d.APIVersion = Create, after.GetAPIVersion()
	case after == nil:
		d.Action, d.APIVersion = Delete, before.GetAPIVersion()
	default:
		d.Action, d.APIVersion = Change, after.GetAPIVersion()
	}
	mb, ma := o.Masker.Object(before), o.Masker.Object(after)
	if d.Action == Change {
		var paths []path
		changedPaths(mb.Object, ma.Object, nil, serverManaged, &paths)
		if len(paths) == 0 {
			return d, false, nil
		}
		for _, p := range paths {
			d.Fields = append(d.Fields, p.String())
		}
		d.Managers = attribute(before, paths)
	}
	by, err := toYAML(mb)
	if err != nil {
		return d, false, fmt.Errorf("diff: %s: %w", k, err)
	}
	ay, err := toYAML(ma)
	if err != nil {
		return d, false, fmt.Errorf("diff: %s: %w", k, err)
	}
	name := fileName(k, d.APIVersion)
	d.Diff = fmt.Sprintf("--- %s/%s\n+++ %s/%s\n", o.BeforeLabel, name, o.AfterLabel, name) + unified(by, ay, o.Context)
	return d, true, nil
}

// serverManaged reports the metadata the server sets, left out of the
// comparison (it is still shown in the diff text, like kubectl diff shows it).
func serverManaged(p path) bool {
	if len(p) != 2 || p[0] != "metadata" {
		return false
	}
	switch p[1] {
	case "managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink":
		return true
	}
	return false
}

// toYAML renders u without managedFields ("" for nil).
func toYAML(u *unstructured.Unstructured) (string, error) {
	if u == nil {
		return "", nil
	}
	obj := u.Object
	if md, ok := obj["metadata"].(map[string]any); ok {
		if _, has := md["managedFields"]; has {
			md2 := make(map[string]any, len(md))
			for k, v := range md {
				if k != "managedFields" {
					md2[k] = v
				}
			}
			obj2 := make(map[string]any, len(obj))
			for k, v := range obj {
				obj2[k] = v
			}
			obj2["metadata"] = md2
			obj = obj2
		}
	}
	b, err := yaml.Marshal(obj)
	if err != nil {
		return "", fmt.Errorf("render YAML: %w", err)
	}
	return string(b), nil
}

// fileName is the name of an object in diff headers, like kubectl diff's:
// "apps.v1.Deployment.prod.web".
func fileName(k Key, apiVersion string) string {
	s := apiVersion
	if k.Group != "" || s == "" {
		s = k.Group + "." + versionOf(apiVersion)
	}
	s += "." + k.Kind
	if k.Namespace != "" {
		s += "." + k.Namespace
	}
	return s + "." + k.Name
}

func versionOf(apiVersion string) string {
	for i := len(apiVersion) - 1; i >= 0; i-- {
		if apiVersion[i] == '/' {
			return apiVersion[i+1:]
		}
	}
	return apiVersion
}
