package diff

import "testing"

func TestDeclaredEqual(t *testing.T) {
	live := map[string]any{
		"spec": map[string]any{
			"replicas": int64(2),
			"template": map[string]any{"spec": map[string]any{"containers": []any{
				map[string]any{"name": "web", "image": "web:1", "terminationMessagePath": "/dev/termination-log",
					"resources": map[string]any{"limits": map[string]any{"cpu": "500m", "memory": "1Gi"}}},
			}}},
		},
		"data": map[string]any{"n": "1"},
	}
	tests := []struct {
		name    string
		desired map[string]any
		want    bool
	}{
		{"subset equal", map[string]any{"spec": map[string]any{"replicas": int64(2)}}, true},
		{"float equals int", map[string]any{"spec": map[string]any{"replicas": float64(2)}}, true},
		{"value differs", map[string]any{"spec": map[string]any{"replicas": int64(3)}}, false},
		{"defaults ignored", map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{
			map[string]any{"name": "web", "image": "web:1"}}}}}}, true},
		{"quantity by value", map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{
			map[string]any{"name": "web", "resources": map[string]any{"limits": map[string]any{"cpu": "0.5", "memory": "1024Mi"}}}}}}}}, true},
		{"quantity differs", map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{
			map[string]any{"name": "web", "resources": map[string]any{"limits": map[string]any{"cpu": "1"}}}}}}}}, false},
		{"data strings exact", map[string]any{"data": map[string]any{"n": "1.0"}}, false},
		{"list length differs", map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{
			map[string]any{"name": "web"}, map[string]any{"name": "side"}}}}}}, false},
		{"empty equals absent", map[string]any{"metadata": map[string]any{"labels": map[string]any{}}, "status": nil}, true},
		{"missing field", map[string]any{"spec": map[string]any{"paused": true}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := declaredEqual(tc.desired, live, "", false); got != tc.want {
				t.Errorf("declaredEqual = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAsServerSees(t *testing.T) {
	u := objs(t, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: v}\n")[0]
	got := asServerSees(u)
	if got.Object["data"].(map[string]any)["a"] != "dg==" || got.Object["stringData"] != nil {
		t.Errorf("got %v", got.Object)
	}
	if u.Object["stringData"] == nil {
		t.Error("input modified")
	}
}
