package seal_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/gitward/gitward/pkg/seal"
)

// writeFiles creates files (path relative to dir → content) and returns dir.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBuildSecret(t *testing.T) {
	t.Setenv("SEAL_TEST_FROM_ENV", "from-environment")
	dir := writeFiles(t, map[string]string{
		"tls.crt":      "CERT",
		"keys/a":       "A",
		"keys/b":       "B",
		"app.env":      "\xEF\xBB\xBF# comment\n\n  USER=admin\nPASSWORD=" + plaintext + "=x\nSEAL_TEST_FROM_ENV\n",
		"bad.env":      "USER=admin\nmy " + plaintext + "\n",
		"badutf8.env":  "PASSWORD=\xff" + plaintext + "\n",
		"spaceKey.env": "MY KEY=" + plaintext + "\n",
	})
	in := func(p string) string { return filepath.Join(dir, p) }

	tests := []struct {
		name    string
		src     seal.SecretSource
		want    map[string]string
		wantErr error
		wantIn  string
	}{
		{
			name: "literals",
			src:  seal.SecretSource{Literals: []string{"user=admin", "password=a=b=c", "empty="}},
			want: map[string]string{"user": "admin", "password": "a=b=c", "empty": ""},
		},
		{
			name: "file, named file, directory",
			src:  seal.SecretSource{Files: []string{in("tls.crt"), "cert=" + in("tls.crt"), in("keys")}},
			want: map[string]string{"tls.crt": "CERT", "cert": "CERT", "a": "A", "b": "B"},
		},
		{
			name: "env file",
			src:  seal.SecretSource{EnvFiles: []string{in("app.env")}},
			want: map[string]string{"USER": "admin", "PASSWORD": plaintext + "=x", "SEAL_TEST_FROM_ENV": "from-environment"},
		},
		{name: "literal without =", src: seal.SecretSource{Literals: []string{plaintext}}, wantErr: seal.ErrInvalidSource, wantIn: "--from-literal #1"},
		{name: "literal with empty key", src: seal.SecretSource{Literals: []string{"=" + plaintext}}, wantErr: seal.ErrInvalidSource},
		{name: "invalid key", src: seal.SecretSource{Literals: []string{"a/b=x"}}, wantErr: seal.ErrInvalidKey, wantIn: `"a/b"`},
		{name: "duplicate key", src: seal.SecretSource{Literals: []string{"k=1"}, Files: []string{"k=" + in("tls.crt")}}, wantErr: seal.ErrDuplicateKey, wantIn: `"k"`},
		{name: "missing file", src: seal.SecretSource{Files: []string{in("nope")}}, wantErr: os.ErrNotExist, wantIn: "nope"},
		{name: "key name for a directory", src: seal.SecretSource{Files: []string{"k=" + in("keys")}}, wantErr: seal.ErrInvalidSource},
		{name: "two = in file source", src: seal.SecretSource{Files: []string{"a=b=c"}}, wantErr: seal.ErrInvalidSource},
		{name: "env line without key", src: seal.SecretSource{EnvFiles: []string{in("bad.env")}}, wantErr: seal.ErrInvalidSource, wantIn: "bad.env line 2"},
		{name: "env line not UTF-8", src: seal.SecretSource{EnvFiles: []string{in("badutf8.env")}}, wantErr: seal.ErrInvalidSource, wantIn: "badutf8.env line 1"},
		{name: "env key with a space", src: seal.SecretSource{EnvFiles: []string{in("spaceKey.env")}}, wantErr: seal.ErrInvalidSource},
		{name: "missing env file", src: seal.SecretSource{EnvFiles: []string{in("none.env")}}, wantErr: os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.src.Name, tt.src.Namespace, tt.src.Type = "app", "prod", corev1.SecretTypeOpaque
			got, err := seal.BuildSecret(tt.src)
			if tt.wantErr != nil || tt.wantIn != "" {
				if err == nil {
					t.Fatal("BuildSecret: no error")
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("error %q does not wrap %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantIn) {
					t.Errorf("error %q does not contain %q", err, tt.wantIn)
				}
				if strings.Contains(err.Error(), plaintext) {
					t.Errorf("error %q quotes the plaintext", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("BuildSecret: %v", err)
			}
			if got.Name != "app" || got.Namespace != "prod" || got.Type != corev1.SecretTypeOpaque || got.Kind != "Secret" {
				t.Errorf("BuildSecret metadata %s/%s type %q kind %q", got.Namespace, got.Name, got.Type, got.Kind)
			}
			if len(got.Data) != len(tt.want) {
				t.Errorf("BuildSecret gave %d keys, want %d", len(got.Data), len(tt.want))
			}
			for k, v := range tt.want {
				if string(got.Data[k]) != v {
					t.Errorf("key %q = %q, want %q", k, got.Data[k], v)
				}
			}
		})
	}
}
