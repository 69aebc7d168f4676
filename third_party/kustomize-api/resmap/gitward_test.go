// Copyright 2026 The gitward Authors.
// SPDX-License-Identifier: Apache-2.0

package resmap_test

// gitward: tests for the performance patch (see PATCHES.md): the indexed
// append and the CurId cache must behave exactly like upstream's loops.

import (
	"fmt"
	"testing"

	. "sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/resource"
)

// gwRes makes a resource; ns "-" leaves metadata.namespace out.
func gwRes(t *testing.T, apiVersion, kind, name, ns string) *resource.Resource {
	t.Helper()
	meta := map[string]interface{}{"name": name}
	if ns != "-" {
		meta["namespace"] = ns
	}
	r, err := rf.FromMap(map[string]interface{}{
		"apiVersion": apiVersion, "kind": kind, "metadata": meta,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestGitwardAppendEachMatchesAppendLoop(t *testing.T) {
	type spec struct{ apiVersion, kind, name, ns string }
	tests := []struct {
		name     string
		existing []spec
		list     []spec
	}{
		{name: "distinct", list: []spec{
			{"v1", "ConfigMap", "a", "-"}, {"v1", "ConfigMap", "b", "-"},
			{"v1", "Secret", "a", "-"}, {"apps/v1", "Deployment", "a", "x"},
		}},
		{name: "exact duplicate in the middle", list: []spec{
			{"v1", "ConfigMap", "a", "x"}, {"v1", "ConfigMap", "b", "x"},
			{"v1", "ConfigMap", "a", "x"}, {"v1", "ConfigMap", "c", "x"},
		}},
		{name: "empty namespace equals default", list: []spec{
			{"v1", "ConfigMap", "a", "-"}, {"v1", "ConfigMap", "a", "default"},
		}},
		{name: "cluster-scoped ignores namespace", list: []spec{
			{"v1", "Namespace", "a", "-"}, {"v1", "Namespace", "a", "x"},
		}},
		{name: "same name other namespace", list: []spec{
			{"v1", "ConfigMap", "a", "x"}, {"v1", "ConfigMap", "a", "y"},
		}},
		{name: "same kind other group", list: []spec{
			{"example.com/v1", "Thing", "a", "-"}, {"other.com/v1", "Thing", "a", "-"},
		}},
		{name: "same kind other version", list: []spec{
			{"example.com/v1", "Thing", "a", "-"}, {"example.com/v2", "Thing", "a", "-"},
		}},
		{name: "duplicate of an existing resource", existing: []spec{
			{"v1", "ConfigMap", "a", "-"}, {"v1", "ConfigMap", "b", "-"},
		}, list: []spec{
			{"v1", "ConfigMap", "c", "-"}, {"v1", "ConfigMap", "b", "default"},
		}},
		{name: "nothing to append", existing: []spec{{"v1", "ConfigMap", "a", "-"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			build := func() (ResMap, []*resource.Resource) {
				m := New()
				for _, s := range tc.existing {
					if err := m.Append(gwRes(t, s.apiVersion, s.kind, s.name, s.ns)); err != nil {
						t.Fatal(err)
					}
				}
				var list []*resource.Resource
				for _, s := range tc.list {
					list = append(list, gwRes(t, s.apiVersion, s.kind, s.name, s.ns))
				}
				return m, list
			}
			want, list := build()
			var wantErr error
			for _, r := range list {
				if wantErr = want.Append(r); wantErr != nil {
					break
				}
			}
			got, list := build()
			gotErr := AppendEach(got, list)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Fatalf("error: got %v, want %v", gotErr, wantErr)
			}
			if fmt.Sprint(got.AllIds()) != fmt.Sprint(want.AllIds()) {
				t.Fatalf("ids: got %v, want %v", got.AllIds(), want.AllIds())
			}
			// AppendAll takes the same path.
			got, list = build()
			other := New()
			for _, r := range list {
				_ = other.Append(r) // may reject a duplicate, like upstream
			}
			if err := got.AppendAll(other); err != nil && wantErr == nil {
				t.Fatalf("AppendAll: %v", err)
			}
		})
	}
}

func TestGitwardCurIdCacheSubset(t *testing.T) {
	m := New()
	for _, r := range []*resource.Resource{
		gwRes(t, "v1", "ConfigMap", "a", "x"),
		gwRes(t, "v1", "ConfigMap", "b", "y"),
		gwRes(t, "v1", "Namespace", "x", "-"),
		gwRes(t, "rbac.authorization.k8s.io/v1", "ClusterRole", "c", "-"),
		gwRes(t, "v1", "ServiceAccount", "sa", "z"),
		gwRes(t, "apps/v1", "Deployment", "d", "x"),
		gwRes(t, "apps/v1", "Deployment", "e", "-"),
	} {
		if err := m.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	rb, err := rf.FromMap(map[string]interface{}{
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
		"metadata": map[string]interface{}{"name": "rb", "namespace": "x"},
		"subjects": []interface{}{map[string]interface{}{
			"kind": "ServiceAccount", "name": "sa", "namespace": "z",
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Append(rb); err != nil {
		t.Fatal(err)
	}
	check := func(c *CurIdCache) {
		t.Helper()
		for _, r := range m.Resources() {
			want, err := m.SubsetThatCouldBeReferencedByResource(r)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.SubsetThatCouldBeReferencedByResource(r)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got.AllIds()) != fmt.Sprint(want.AllIds()) {
				t.Fatalf("referrer %s: got %v, want %v", r.CurId(), got.AllIds(), want.AllIds())
			}
		}
	}
	c := NewCurIdCache(m)
	check(c)
	// A referrer whose own id changes (a filter rewrote its namespace):
	// Refresh must bring the cache back in line.
	d := m.Resources()[5]
	if err := d.SetNamespace("y"); err != nil {
		t.Fatal(err)
	}
	c.Refresh(d)
	check(c)
	if err := d.SetName("renamed"); err != nil {
		t.Fatal(err)
	}
	c.Refresh(d)
	check(c)
}

// upstreamAddTransformerAnnotation is upstream's AddTransformerAnnotation.
func upstreamAddTransformerAnnotation(m ResMap, origin *resource.Origin) error {
	for _, res := range m.Resources() {
		or, err := res.GetOrigin()
		if err != nil {
			return err
		}
		if or == nil {
			err = res.SetOrigin(origin)
		} else {
			err = res.AddTransformation(origin)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func TestGitwardAddTransformerAnnotationMatchesUpstream(t *testing.T) {
	m := New()
	for i, o := range []*resource.Origin{nil, origin1, origin1, origin2, origin1} {
		r := gwRes(t, "v1", "ConfigMap", fmt.Sprintf("cm%d", i), "-")
		if o != nil {
			if err := r.SetOrigin(o); err != nil {
				t.Fatal(err)
			}
		}
		if i == 4 {
			if err := r.AddTransformation(origin2); err != nil {
				t.Fatal(err)
			}
		}
		if err := m.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	want := m.DeepCopy()
	for _, o := range []*resource.Origin{origin2, origin1, origin2} {
		if err := upstreamAddTransformerAnnotation(want, o); err != nil {
			t.Fatal(err)
		}
		if err := m.AddTransformerAnnotation(o); err != nil {
			t.Fatal(err)
		}
		got, err := m.AsYaml()
		if err != nil {
			t.Fatal(err)
		}
		exp, err := want.AsYaml()
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(exp) {
			t.Fatalf("got\n%s\nwant\n%s", got, exp)
		}
	}

	// A malformed origin annotation fails the same way.
	bad := gwRes(t, "v1", "ConfigMap", "bad", "-")
	if err := bad.SetAnnotations(map[string]string{"config.kubernetes.io/origin": "[unclosed"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Append(bad); err != nil {
		t.Fatal(err)
	}
	want = m.DeepCopy()
	wantErr := upstreamAddTransformerAnnotation(want, origin1)
	gotErr := m.AddTransformerAnnotation(origin1)
	if wantErr == nil || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("error: got %v, want %v", gotErr, wantErr)
	}
}
