package diff

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// TestMaskNeverLeaks checks that no rendering of a Secret diff holds the
// plaintext or its base64, and that changed values mask differently.
func TestMaskNeverLeaks(t *testing.T) {
	const oldPlain, newPlain = "hunter2-old-value", "s3cret-new-value"
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	before := objs(t, secret("db", b64(oldPlain)), secret("same", b64(oldPlain)))
	after := objs(t, secret("db", b64(newPlain)), secret("same", b64(oldPlain)),
		"apiVersion: v1\nkind: Secret\nmetadata: {name: fresh, namespace: app}\nstringData: {token: "+newPlain+"}\n")
	res, err := Objects(before, after, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, write := range []func() error{
		func() error { return res.WriteText(&out, TextOptions{Color: true}) },
		func() error { return res.WriteSummary(&out) },
		func() error { return res.WriteJSON(&out) },
		func() error { return res.WriteYAML(&out) },
	} {
		if err := write(); err != nil {
			t.Fatal(err)
		}
	}
	for _, secret := range []string{oldPlain, newPlain, b64(oldPlain), b64(newPlain)} {
		if strings.Contains(out.String(), secret) {
			t.Fatalf("output holds %q:\n%s", secret, out.String())
		}
	}
	if res.Unchanged != 1 || len(res.Objects) != 2 {
		t.Fatalf("want 1 unchanged and 2 differences, got %d and %+v", res.Unchanged, res.Objects)
	}
	if !strings.Contains(res.Objects[0].Diff, "-  password: '"+MaskPrefix) || !strings.Contains(res.Objects[0].Diff, "+  password: '"+MaskPrefix) {
		t.Errorf("changed value must show two different masks:\n%s", res.Objects[0].Diff)
	}
}

func TestMaskerValue(t *testing.T) {
	m := fixedMasker(t)
	tests := []struct {
		name       string
		k1, v1     string
		k2, v2     string
		wantEquals bool
	}{
		{"same key same value", "password", "x", "password", "x", true},
		{"same key other value", "password", "x", "password", "y", false},
		{"other key same value", "password", "x", "token", "x", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := m.Value(tc.k1, []byte(tc.v1)), m.Value(tc.k2, []byte(tc.v2))
			if (a == b) != tc.wantEquals {
				t.Errorf("%s vs %s: equal=%v, want %v", a, b, a == b, tc.wantEquals)
			}
		})
	}
	other, err := NewMasker()
	if err != nil {
		t.Fatal(err)
	}
	if other.Value("password", []byte("x")) == m.Value("password", []byte("x")) {
		t.Error("masks must differ between keys (runs)")
	}
}

func TestMaskDataEqualsStringData(t *testing.T) {
	m := fixedMasker(t)
	u := objs(t, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: "+base64.StdEncoding.EncodeToString([]byte("v"))+"}\nstringData: {a: v}\n")[0]
	got := m.Object(u)
	data := got.Object["data"].(map[string]any)["a"]
	sdata := got.Object["stringData"].(map[string]any)["a"]
	if data != sdata {
		t.Errorf("data %v and stringData %v of one value must mask equally", data, sdata)
	}
	if u.Object["data"].(map[string]any)["a"] == data {
		t.Error("Object must not modify its input")
	}
	cm := objs(t, configMap("c", "v"))[0]
	if m.Object(cm) != cm {
		t.Error("a ConfigMap is not masked")
	}
}
