package seal_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ssv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"

	"github.com/gitward/gitward/pkg/seal"
)

func TestMerge(t *testing.T) {
	ctx := context.Background()
	orig, err := sealer(t).Seal(ctx, secret("db", "prod", map[string]string{"user": "admin", "password": "old"}), seal.SealOptions{})
	if err != nil {
		t.Fatal(err)
	}
	orig.Spec.Template.Labels = nil // nil maps must not panic
	upd := secret("db", "prod", map[string]string{"password": "new", "token": "t"})
	upd.Labels = map[string]string{"rotated": "yes"}
	update, err := sealer(t).Seal(ctx, upd, seal.SealOptions{})
	if err != nil {
		t.Fatal(err)
	}

	merged, err := seal.Merge(orig, update)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	if _, ok := orig.Spec.EncryptedData["token"]; ok {
		t.Errorf("Merge modified its input")
	}
	got, err := keyPair(t).Unseal(merged)
	if err != nil {
		t.Fatalf("Unseal: %v", err)
	}
	want := map[string]string{"user": "admin", "password": "new", "token": "t"}
	for k, v := range want {
		if string(got.Data[k]) != v {
			t.Errorf("key %q = %q, want %q", k, got.Data[k], v)
		}
	}
	if merged.Spec.Template.Labels["rotated"] != "yes" {
		t.Errorf("template labels not merged: %v", merged.Spec.Template.Labels)
	}

	tests := []struct {
		name   string
		update *ssv1alpha1.SealedSecret
	}{
		{name: "other name", update: moved(update, "prod", "other")},
		{name: "other namespace", update: moved(update, "dev", "db")},
		{name: "other scope", update: func() *ssv1alpha1.SealedSecret {
			u := update.DeepCopy()
			u.Annotations = ssv1alpha1.UpdateScopeAnnotations(u.Annotations, seal.ClusterWide)
			return u
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := seal.Merge(orig, tt.update); !errors.Is(err, seal.ErrScopeMismatch) {
				t.Fatalf("Merge: error %v, want ErrScopeMismatch", err)
			}
		})
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sealed.yaml")
	if err := os.WriteFile(p, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := seal.WriteFileAtomic(p, []byte("new")); err != nil {
		t.Fatalf("WriteFileAtomic: %v", err)
	}
	got, _ := os.ReadFile(p)
	fi, _ := os.Stat(p)
	if string(got) != "new" || fi.Mode().Perm() != 0o640 {
		t.Errorf("file = %q mode %v, want \"new\" mode 0640", got, fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}

	// A target that cannot be replaced (a non-empty directory) stays as it
	// was, and no temporary file is left behind.
	blocked := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := seal.WriteFileAtomic(blocked, []byte("data")); err == nil {
		t.Fatal("WriteFileAtomic over a directory: no error")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestEncodeDecode(t *testing.T) {
	ss, err := sealer(t).Seal(context.Background(), secret("db", "prod", map[string]string{"k": plaintext}), seal.SealOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range seal.Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := seal.Encode(&buf, format, ss, ss); err != nil {
				t.Fatalf("Encode: %v", err)
			}
			out := buf.String()
			if strings.Contains(out, "creationTimestamp") || strings.Contains(out, "status") {
				t.Errorf("output has null timestamps or status:\n%s", out)
			}
			if strings.Contains(out, plaintext) {
				t.Errorf("output holds the plaintext")
			}
			one := out
			if format == seal.FormatYAML {
				if n := strings.Count(out, "---\n"); n != 1 {
					t.Errorf("%d separators, want 1", n)
				}
				one, _, _ = strings.Cut(out, "---\n")
			} else {
				one = out[:strings.Index(out, "}\n{")+2]
			}
			back, gotFormat, err := seal.DecodeSealedSecret([]byte(one), "f")
			if err != nil {
				t.Fatalf("DecodeSealedSecret: %v", err)
			}
			if gotFormat != format || back.Spec.EncryptedData["k"] != ss.Spec.EncryptedData["k"] {
				t.Errorf("round trip: format %q, data changed", gotFormat)
			}
			if _, _, err := seal.DecodeSealedSecret([]byte(out), "f"); !errors.Is(err, seal.ErrNotSealedSecret) {
				t.Errorf("two documents: error %v, want ErrNotSealedSecret", err)
			}
		})
	}
	if err := seal.Encode(&bytes.Buffer{}, "xml", ss); !errors.Is(err, seal.ErrInvalidFormat) {
		t.Errorf("Encode xml: error %v", err)
	}
	for _, bad := range []string{"", "apiVersion: v1\nkind: Secret\n", "{"} {
		if _, _, err := seal.DecodeSealedSecret([]byte(bad), "f"); err == nil {
			t.Errorf("DecodeSealedSecret(%q): no error", bad)
		}
	}
}
