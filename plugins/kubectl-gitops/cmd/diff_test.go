package cmd

import (
	"errors"
	"io"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	dynamicfake "k8s.io/client-go/dynamic/fake"
)

func TestDiffValidate(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(o *DiffOptions)
		wantErr bool
	}{
		{"defaults", func(*DiffOptions) {}, false},
		{"json", func(o *DiffOptions) { o.Output = "json" }, false},
		{"yaml", func(o *DiffOptions) { o.Output = "yaml" }, false},
		{"unknown output", func(o *DiffOptions) { o.Output = "wide" }, true},
		{"summary and output", func(o *DiffOptions) { o.Summary, o.Output = true, "json" }, true},
		{"bad color", func(o *DiffOptions) { o.Color = "sometimes" }, true},
		{"folder and files", func(o *DiffOptions) { o.Path, o.Filenames = "app", []string{"a.yaml"} }, true},
		{"revision and files", func(o *DiffOptions) { o.Revision, o.Filenames = "main", []string{"a.yaml"} }, true},
		{"revision and source", func(o *DiffOptions) { o.Revision, o.Source = "main", "prod" }, false},
		{"zero concurrency", func(o *DiffOptions) { o.Concurrency = 0 }, true},
		{"negative context", func(o *DiffOptions) { o.Context = -1 }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			streams, _, _, _ := genericiooptions.NewTestIOStreams()
			o := NewDiffOptions(genericclioptions.NewConfigFlags(false), streams)
			tc.mutate(o)
			err := o.Validate()
			if (err != nil) != tc.wantErr {
				t.Fatalf("Validate() = %v, wantErr %v", err, tc.wantErr)
			}
			if err != nil && !errors.Is(err, errDiffUsage) {
				t.Errorf("error %v does not wrap errDiffUsage", err)
			}
		})
	}
}

func TestDiffComplete(t *testing.T) {
	tests := []struct {
		name         string
		args         []string
		color        string
		output       string
		noColor      bool
		terminal     bool
		wantColor    bool
		wantProgress bool
		wantPath     string
	}{
		{"pipe: no colour, no progress", nil, "auto", "", false, false, false, false, ""},
		{"terminal: colour and progress", []string{"overlays/prod"}, "auto", "", false, true, true, true, "overlays/prod"},
		{"terminal with NO_COLOR", nil, "auto", "", true, true, false, true, ""},
		{"terminal with json", nil, "auto", "json", false, true, false, true, ""},
		{"always on a pipe", nil, "always", "", false, false, true, false, ""},
		{"never on a terminal", nil, "never", "", false, true, false, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.noColor {
				t.Setenv("NO_COLOR", "1")
			}
			streams, _, _, _ := genericiooptions.NewTestIOStreams()
			o := NewDiffOptions(nil, streams)
			o.Color, o.Output = tc.color, tc.output
			o.IsTerminal = func(io.Writer) bool { return tc.terminal }
			o.Dynamic = dynamicfake.NewSimpleDynamicClient(runtime.NewScheme())
			o.Mapper = meta.NewDefaultRESTMapper(nil)
			if err := o.Complete(tc.args); err != nil {
				t.Fatal(err)
			}
			if o.color != tc.wantColor || o.progress != tc.wantProgress || o.Path != tc.wantPath {
				t.Errorf("color=%v progress=%v path=%q, want %v %v %q", o.color, o.progress, o.Path, tc.wantColor, tc.wantProgress, tc.wantPath)
			}
			if o.Namespace != "default" {
				t.Errorf("Namespace = %q, want default", o.Namespace)
			}
		})
	}
}

func TestDiffCompleteKubeconfig(t *testing.T) {
	streams, _, _, _ := genericiooptions.NewTestIOStreams()
	flags := genericclioptions.NewConfigFlags(false)
	kubeconfig := t.TempDir() + "/config"
	*flags.KubeConfig = kubeconfig
	ns := "team-a"
	flags.Namespace = &ns
	writeKubeconfig(t, kubeconfig)
	o := NewDiffOptions(flags, streams)
	if err := o.Complete(nil); err != nil {
		t.Fatal(err)
	}
	if o.Namespace != "team-a" || o.Dynamic == nil || o.Metadata == nil || o.Discovery == nil || o.Mapper == nil {
		t.Errorf("Complete left namespace %q or a nil client: %+v", o.Namespace, o)
	}
}
