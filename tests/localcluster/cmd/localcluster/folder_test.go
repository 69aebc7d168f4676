package main

import (
	"path/filepath"
	"testing"

	"github.com/spf13/pflag"
)

func TestFolder(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		args    []string
		wantDir string
	}{
		{name: "default", wantDir: defaultDir},
		{name: "--dir", args: []string{"--dir", dir}, wantDir: dir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFolder()
			flags := pflag.NewFlagSet("test", pflag.ContinueOnError)
			f.addDirFlag(flags, "cluster folder")
			if err := flags.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if f.Dir != tt.wantDir {
				t.Fatalf("Dir = %q, want %q", f.Dir, tt.wantDir)
			}
			if err := f.Complete(); err != nil {
				t.Fatal(err)
			}
			want, err := filepath.Abs(tt.wantDir)
			if err != nil {
				t.Fatal(err)
			}
			if f.state.dir != want || f.state.kubeconfig != filepath.Join(want, "kubeconfig") {
				t.Errorf("state = %+v, want the files of %s", f.state, want)
			}
		})
	}
}
