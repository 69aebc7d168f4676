package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStateReadPID(t *testing.T) {
	tests := []struct {
		name    string
		content *string // nil: no pid file
		want    int
		wantErr string
	}{
		{name: "no pid file", want: 0},
		{name: "pid", content: ptr("1234\n"), want: 1234},
		{name: "garbage", content: ptr("abc"), wantErr: "not a process id"},
		{name: "negative", content: ptr("-5"), wantErr: "not a process id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := newState(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if tc.content != nil {
				if err := os.WriteFile(s.pidFile, []byte(*tc.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.readPID()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("readPID error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("readPID = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}

func TestStateClaimRelease(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", ".local")
	s, err := newState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(s.dir) {
		t.Errorf("state dir %q is not absolute", s.dir)
	}
	// A pid file naming a process that is not this folder's daemon (this
	// test binary) is stale and may be claimed.
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.pidFile, []byte("1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.running(); err != nil || ok {
		t.Fatalf("running() = %v, %v with a pid file naming pid 1; want not running", ok, err)
	}
	if err := s.claim(os.Getpid()); err != nil {
		t.Fatalf("claim: %v", err)
	}
	if got, err := s.readPID(); err != nil || got != os.Getpid() {
		t.Fatalf("pid file holds %d (%v), want %d", got, err, os.Getpid())
	}
	if err := os.WriteFile(s.kubeconfig, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.release(os.Getpid())
	for _, f := range []string{s.pidFile, s.kubeconfig} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s still exists after release (stat: %v)", f, err)
		}
	}
}

func TestIsDaemon(t *testing.T) {
	s, err := newState(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if isDaemon(os.Getpid(), s.daemonArgs()) {
		t.Errorf("the test binary is taken for the daemon of %s", s.dir)
	}
	if !alive(os.Getpid()) {
		t.Errorf("alive(self) = false")
	}
}

func ptr(s string) *string { return &s }
