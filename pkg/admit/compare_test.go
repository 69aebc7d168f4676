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
		{name: "cpu 0.5 vs 500m", git: `{"spec":{"resources":{"limits":{"cpu":"0.5"}}}}`, req: `{"spec":{"resources":{"limits":{"cpu":"500m"}}}}`},
		{name: "cpu 1 vs \"1\"", git: `{"spec":{"resources":{"limits":{"cpu":1}}}}`, req: `{"spec":{"resources":{"limits":{"cpu":"1"}}}}`},
		{name: "memory 1024Mi vs 1Gi", git: `{"spec":{"m":"1024Mi"}}`, req: `{"spec":{"m":"1Gi"}}`},
		{name: "cpu differs", git: `{"spec":{"cpu":"0.5"}}`, req: `{"spec":{"cpu":"600m"}}`,
			want: []string{`spec.cpu — Git says "0.5", this request says "600m"`}},
		{name: "no quantities in labels", git: `{"metadata":{"labels":{"v":"0.5"}}}`, req: `{"metadata":{"labels":{"v":"500m"}}}`,
			want: []string{`metadata.labels[v] — Git says "0.5", this request says "500m"`}},
		{name: "no quantities in configmap data", git: `{"data":{"v":"1024Mi"}}`, req: `{"data":{"v":"1Gi"}}`,
			want: []string{`data[v] — Git says "1024Mi", this request says "1Gi"`}},
		{name: "int-or-string percent", git: `{"spec":{"maxSurge":"25%"}}`, req: `{"spec":{"maxSurge":"25%"}}`},
		{name: "int-or-string int vs string", git: `{"spec":{"maxSurge":1}}`, req: `{"spec":{"maxSurge":"25%"}}`,
			want: []string{`spec.maxSurge — Git says 1, this request says "25%"`}},
		{name: "empty map vs absent", git: `{"metadata":{"annotations":{}}}`, req: `{"metadata":{}}`},
		{name: "empty list vs absent", git: `{"spec":{"args":[]}}`, req: `{"spec":{}}`},
		{name: "empty string, false, 0 vs absent", git: `{"spec":{"a":"","b":false,"c":0}}`, req: `{"spec":{}}`},
		{name: "null is not declared", git: `{"spec":{"a":null}}`, req: `{"spec":{"a":5}}`},
		{name: "absent in request", git: `{"spec":{"paused":true}}`, req: `{"spec":{}}`,
			want: []string{"spec.paused — Git says true, this request leaves it out"}},
		{name: "list length", git: `{"spec":{"c":[{"name":"a"}]}}`, req: `{"spec":{"c":[{"name":"a"},{"name":"b"}]}}`,
			want: []string{`spec.c — Git says [{"name":"a"}], this request says [{"name":"a"},{"name":"b"}]`}},
		{name: "list element subset", git: `{"spec":{"c":[{"name":"a"}]}}`, req: `{"spec":{"c":[{"name":"a","x":1}]}}`},
		{name: "type change", git: `{"spec":{"a":{"b":1}}}`, req: `{"spec":{"a":"x"}}`,
			want: []string{`spec.a — Git says {"b":1}, this request says "x"`}},
		{name: "kind and status are not compared", git: `{"kind":"A","status":{"x":1}}`, req: `{"kind":"B"}`},
		{name: "contract keys are not compared", git: `{"metadata":{"annotations":{"gitward.dev/commit":"x"}}}`, req: `{"metadata":{}}`},
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

func TestChangedPaths(t *testing.T) {
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
			want: []string{"metadata.labels[b]"}},
		{name: "source label removed", old: `{"metadata":{"labels":{"gitward.dev/source":"p"}}}`, new: `{"metadata":{"labels":{}}}`,
			want: []string{"metadata.labels[gitward.dev/source] removed"}},
		{name: "list element", old: `{"spec":{"c":[{"image":"a"}]}}`, new: `{"spec":{"c":[{"image":"b"}]}}`,
			want: []string{"spec.c[0].image"}},
		{name: "list length", old: `{"spec":{"c":[1]}}`, new: `{"spec":{"c":[1,2]}}`, want: []string{"spec.c"}},
		{name: "zero vs absent", old: `{"spec":{}}`, new: `{"spec":{"a":"","b":{}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range changedPaths(js(t, tt.old), js(t, tt.new)) {
				s := c.Path.String()
				if c.Removed {
					s += " removed"
				}
				got = append(got, s)
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
		{Username: "system:node:worker-1"},
		{Username: "x", Groups: []string{"system:nodes"}},
	} {
		if !e.Match(u) {
			t.Errorf("%+v is not exempt", u)
		}
	}
	for _, u := range []UserInfo{
		{Username: "alice", Groups: []string{"system:masters"}},
		{Username: "system:serviceaccount:default:deployment-controller"},
		{Username: "system:serviceaccount:kube-system:horizontal-pod-autoscaler"},
	} {
		if e.Match(u) {
			t.Errorf("%+v is exempt", u)
		}
	}
}
