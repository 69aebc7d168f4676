package admit

import (
	"encoding/json"
	"strings"
	"testing"
)

// js decodes JSON as the API machinery does not: numbers as float64, the
// worst case for integer comparison.
func js(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCompareDeclared(t *testing.T) {
	tests := []struct {
		name, git, req string
		want           []string // formatted errors
	}{
		{name: "equal", git: `{"spec":{"replicas":3}}`, req: `{"spec":{"replicas":3,"extra":1}}`},
		{name: "int vs float", git: `{"spec":{"replicas":3}}`, req: `{"spec":{"replicas":3.0}}`},
		{name: "number differs", git: `{"spec":{"replicas":3}}`, req: `{"spec":{"replicas":5}}`,
			want: []string{"spec.replicas — Git says 3, this request says 5"}},
		{name: "quantities are exact (Git is normalised before)", git: `{"spec":{"cpu":"0.5"}}`, req: `{"spec":{"cpu":"500m"}}`,
			want: []string{`spec.cpu — Git says "0.5", this request says "500m"`}},
		{name: "int-or-string int vs string", git: `{"spec":{"maxSurge":1}}`, req: `{"spec":{"maxSurge":"25%"}}`,
			want: []string{`spec.maxSurge — Git says 1, this request says "25%"`}},
		{name: "declared empty map must be there", git: `{"spec":{"securityContext":{}}}`, req: `{"spec":{}}`,
			want: []string{"spec.securityContext — Git says {}, this request leaves it out"}},
		{name: "declared empty map with more in it", git: `{"spec":{"securityContext":{}}}`, req: `{"spec":{"securityContext":{"privileged":true}}}`},
		{name: "declared zero values must be there", git: `{"spec":{"a":"","b":false,"c":0}}`, req: `{"spec":{}}`,
			want: []string{`spec.a — Git says "", this request leaves it out`, "spec.b — Git says false, this request leaves it out",
				"spec.c — Git says 0, this request leaves it out"}},
		{name: "null is not declared", git: `{"spec":{"a":null}}`, req: `{"spec":{"a":5}}`},
		{name: "absent in request", git: `{"spec":{"paused":true}}`, req: `{"spec":{}}`,
			want: []string{"spec.paused — Git says true, this request leaves it out"}},
		{name: "list shorter than Git's", git: `{"spec":{"c":[{"name":"a"},{"name":"b"}]}}`, req: `{"spec":{"c":[{"name":"a"}]}}`,
			want: []string{`spec.c — Git says [{"name":"a"},{"name":"b"}], this request says [{"name":"a"}]`}},
		{name: "list element subset", git: `{"spec":{"c":[{"name":"a"}]}}`, req: `{"spec":{"c":[{"name":"a","x":1}]}}`},
		{name: "type change", git: `{"spec":{"a":{"b":1}}}`, req: `{"spec":{"a":"x"}}`,
			want: []string{`spec.a — Git says {"b":1}, this request says "x"`}},
		{name: "kind and status are not compared", git: `{"kind":"A","status":{"x":1}}`, req: `{"kind":"B"}`},
		{name: "contract keys are not compared", git: `{"metadata":{"annotations":{"gitward.dev/commit":"x"}}}`, req: `{"metadata":{"annotations":{}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := compareDeclared(js(t, tt.git), js(t, tt.req), nil)
			var got []string
			for _, e := range errs {
				got = append(got, formatError(e))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestChangedLeaves(t *testing.T) {
	tests := []struct {
		name, old, new string
		want           []string
	}{
		{name: "no change", old: `{"spec":{"a":1}}`, new: `{"spec":{"a":1.0}}`},
		{name: "server metadata and status", old: `{"metadata":{"resourceVersion":"1","generation":1},"status":{"a":1}}`,
			new: `{"metadata":{"resourceVersion":"2","generation":2,"managedFields":[{}]},"status":{"a":2}}`},
		{name: "contract annotations", old: `{"metadata":{"annotations":{"gitward.dev/commit":"a","gitward.dev/digest":"x"}}}`,
			new: `{"metadata":{"annotations":{"gitward.dev/commit":"b","gitward.dev/digest":"y"}}}`},
		{name: "label added", old: `{"metadata":{"labels":{"a":"1"}}}`, new: `{"metadata":{"labels":{"a":"1","b":"2"}}}`,
			want: []string{"metadata.labels[b] added"}},
		{name: "annotations map added", old: `{"metadata":{}}`, new: `{"metadata":{"annotations":{"x":"1","gitward.dev/commit":"c"}}}`,
			want: []string{"metadata.annotations[x] added"}},
		{name: "source label removed", old: `{"metadata":{"labels":{"gitward.dev/source":"p"}}}`, new: `{"metadata":{"labels":{}}}`,
			want: []string{"metadata.labels[gitward.dev/source] removed"}},
		{name: "list element", old: `{"spec":{"c":[{"image":"a"}]}}`, new: `{"spec":{"c":[{"image":"b"}]}}`,
			want: []string{"spec.c[0].image modified"}},
		{name: "list grows", old: `{"spec":{"c":[1]}}`, new: `{"spec":{"c":[1,2]}}`, want: []string{"spec.c[1] added"}},
		{name: "empty map filled", old: `{"spec":{"sc":{}}}`, new: `{"spec":{"sc":{"privileged":true,"runAsUser":0}}}`,
			want: []string{"spec.sc.privileged added", "spec.sc.runAsUser added"}},
		{name: "map emptied", old: `{"spec":{"sc":{"privileged":true}}}`, new: `{"spec":{"sc":{}}}`,
			want: []string{"spec.sc.privileged removed"}},
		{name: "list emptied", old: `{"spec":{"c":[1]}}`, new: `{"spec":{"c":[]}}`, want: []string{"spec.c[0] removed"}},
		{name: "map filled where there was none", old: `{"spec":{}}`, new: `{"spec":{"sc":{"privileged":true}}}`,
			want: []string{"spec.sc.privileged added"}},
		{name: "zero values removed", old: `{"spec":{"a":false,"b":0,"c":""}}`, new: `{"spec":{}}`,
			want: []string{"spec.a removed", "spec.b removed", "spec.c removed"}},
		{name: "zero values added", old: `{"spec":{}}`, new: `{"spec":{"a":"","b":{}}}`,
			want: []string{"spec.a added", "spec.b added"}},
	}
	kinds := map[changeKind]string{leafAdded: "added", leafRemoved: "removed", leafModified: "modified"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range changedLeaves(js(t, tt.old), js(t, tt.new)) {
				got = append(got, c.Path.String()+" "+kinds[c.Kind])
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestParsePath(t *testing.T) {
	for _, s := range []string{"spec.replicas", "spec.template.spec.containers[0].image",
		"metadata.labels[app.kubernetes.io/name]", "metadata.annotations[team]", "data[x.y]"} {
		t.Run(s, func(t *testing.T) {
			p, err := ParsePath(s)
			if err != nil {
				t.Fatal(err)
			}
			if p.String() != s {
				t.Errorf("round trip: got %q", p.String())
			}
		})
	}
	for _, s := range []string{"", ".", "a.", "a..b", "a[", "a[]", "]"} {
		t.Run("bad "+s, func(t *testing.T) {
			if _, err := ParsePath(s); err == nil {
				t.Errorf("ParsePath(%q) succeeded", s)
			}
		})
	}
}

func TestParseIgnoreRule(t *testing.T) {
	r, err := ParseIgnoreRule("apps/Deployment:spec.replicas")
	if err != nil || r.Group != "apps" || r.Kind != "Deployment" || r.Path.String() != "spec.replicas" {
		t.Fatalf("got %+v, %v", r, err)
	}
	r, err = ParseIgnoreRule("ConfigMap:data[x]")
	if err != nil || r.Group != "" || r.Kind != "ConfigMap" {
		t.Fatalf("got %+v, %v", r, err)
	}
	for _, s := range []string{"", "Deployment", "apps/:spec", ":spec", "apps/Deployment:"} {
		if _, err := ParseIgnoreRule(s); err == nil {
			t.Errorf("ParseIgnoreRule(%q) succeeded", s)
		}
	}
}

func TestExemptions(t *testing.T) {
	e := DefaultExemptions()
	for _, u := range []UserInfo{
		{Username: "system:kube-controller-manager"},
		{Username: "system:serviceaccount:kube-system:deployment-controller"},
		{Username: "system:serviceaccount:kube-system:generic-garbage-collector"},
		{Username: "system:serviceaccount:kube-system:namespace-controller"},
		{Username: "system:node:worker-1", Groups: []string{"system:nodes"}},
	} {
		if !e.Match(u) {
			t.Errorf("%+v is not exempt", u)
		}
	}
	for _, u := range []UserInfo{
		{Username: "alice", Groups: []string{"system:masters"}},
		{Username: "system:serviceaccount:default:deployment-controller"},
		{Username: "system:serviceaccount:kube-system:evil-controller"},
		{Username: "system:node:worker-1"}, // a node is a node by its group, which the node authorizer vouches for
	} {
		if e.Match(u) {
			t.Errorf("%+v is exempt", u)
		}
	}
}
