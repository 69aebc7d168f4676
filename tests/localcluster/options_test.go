package localcluster

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindRepoRoot(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "go.mod"), "// comment\nmodule github.com/gitward/gitward\n\ngo 1.26\n")
	write(t, filepath.Join(root, "tests", "tools", "go.mod"), "module github.com/gitward/gitward/tests/tools\n")
	deep := filepath.Join(root, "tests", "tools", "cmd", "etcd")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	write(t, filepath.Join(other, "go.mod"), "module example.com/other\n")

	tests := []struct {
		name    string
		from    string
		want    string
		wantErr error
	}{
		{name: "at root", from: root, want: root},
		{name: "skips nested module", from: deep, want: root},
		{name: "other module", from: other, wantErr: ErrNoRepoRoot},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findRepoRoot(tc.from)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("findRepoRoot(%s) error = %v, want %v", tc.from, err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("findRepoRoot(%s) = %q, want %q", tc.from, got, tc.want)
			}
		})
	}
}

func TestOptionsCompleteDefaults(t *testing.T) {
	t.Setenv(EnvToolsBin, "/opt/tools")
	o := Options{Dir: "rel"}
	if err := o.Complete(); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if o.BinDir != "/opt/tools" {
		t.Errorf("BinDir = %q, want the value of %s", o.BinDir, EnvToolsBin)
	}
	if !filepath.IsAbs(o.Dir) {
		t.Errorf("Dir = %q, want an absolute path", o.Dir)
	}
	if o.StartTimeout != DefaultStartTimeout || o.StopGrace != DefaultStopGrace {
		t.Errorf("timeouts = %v/%v, want the defaults", o.StartTimeout, o.StopGrace)
	}
}

func TestOptionsValidate(t *testing.T) {
	full := t.TempDir()
	for _, name := range []string{Etcd, KubeAPIServer, KubeControllerManager} {
		write(t, filepath.Join(full, name), "#!/bin/sh\n")
	}
	partial := t.TempDir()
	write(t, filepath.Join(partial, Etcd), "#!/bin/sh\n")

	tests := []struct {
		name    string
		binDir  string
		wantErr string // substring; empty: no error
	}{
		{name: "all present", binDir: full},
		{name: "apiserver missing", binDir: partial, wantErr: "kube-apiserver not found"},
		{name: "empty folder", binDir: t.TempDir(), wantErr: "run `make tools`"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{BinDir: tc.binDir}
			err := o.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrBinaryMissing) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Validate error = %v, want ErrBinaryMissing mentioning %q", err, tc.wantErr)
			}
		})
	}
}

// write creates path (and its folders) with data, executable.
func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o755); err != nil {
		t.Fatal(err)
	}
}
