package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"
)

// kubeconfigFlags returns flags reading a kubeconfig whose context has
// namespace team-a and whose server is never contacted.
func kubeconfigFlags(t *testing.T) *genericclioptions.ConfigFlags {
	t.Helper()
	file := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(file, []byte(`apiVersion: v1
kind: Config
clusters:
- {name: c, cluster: {server: "https://127.0.0.1:1"}}
contexts:
- {name: c, context: {cluster: c, user: u, namespace: team-a}}
current-context: c
users:
- {name: u, user: {token: t}}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	flags := genericclioptions.NewConfigFlags(false)
	flags.KubeConfig, flags.CacheDir = &file, ptr(t.TempDir())
	return flags
}

func ptr[T any](v T) *T { return &v }

func TestNewClients(t *testing.T) {
	tests := []struct {
		name    string
		flags   func(t *testing.T) *genericclioptions.ConfigFlags
		opts    ClientOptions
		want    func(t *testing.T, c *Clients, cfg *rest.Config)
		wantErr string
	}{
		{name: "dynamic only, client-go's rate", opts: ClientOptions{}, want: func(t *testing.T, c *Clients, cfg *rest.Config) {
			if c.Dynamic == nil || c.Metadata != nil || c.Discovery != nil || c.Mapper != nil || c.Namespace != "" {
				t.Errorf("clients = %+v, want only Dynamic", c)
			}
			if cfg.QPS != 0 || cfg.Burst != 0 {
				t.Errorf("QPS %v burst %d, want client-go's defaults (0)", cfg.QPS, cfg.Burst)
			}
		}},
		{name: "everything, tuned", opts: ClientOptions{QPS: 200, Burst: 400, Namespace: true, Metadata: true, Discovery: true, Mapper: true},
			want: func(t *testing.T, c *Clients, cfg *rest.Config) {
				if c.Dynamic == nil || c.Metadata == nil || c.Discovery == nil || c.Mapper == nil || c.Namespace != "team-a" {
					t.Errorf("clients = %+v, want all of them and namespace team-a", c)
				}
				if cfg.QPS != 200 || cfg.Burst != 400 {
					t.Errorf("QPS %v burst %d, want 200 and 400", cfg.QPS, cfg.Burst)
				}
			}},
		{name: "-n wins over the context", opts: ClientOptions{Namespace: true}, flags: func(t *testing.T) *genericclioptions.ConfigFlags {
			f := kubeconfigFlags(t)
			f.Namespace = ptr("team-b")
			return f
		}, want: func(t *testing.T, c *Clients, _ *rest.Config) {
			if c.Namespace != "team-b" {
				t.Errorf("namespace %q, want team-b", c.Namespace)
			}
		}},
		{name: "no flags", flags: func(*testing.T) *genericclioptions.ConfigFlags { return nil }, wantErr: ErrNoConfigFlags.Error()},
		{name: "missing kubeconfig", flags: func(t *testing.T) *genericclioptions.ConfigFlags {
			f := genericclioptions.NewConfigFlags(false)
			f.KubeConfig = ptr(filepath.Join(t.TempDir(), "none"))
			return f
		}, wantErr: "cluster configuration: "},
		{name: "missing kubeconfig, namespace first", opts: ClientOptions{Namespace: true}, flags: func(t *testing.T) *genericclioptions.ConfigFlags {
			f := genericclioptions.NewConfigFlags(false)
			f.KubeConfig = ptr(filepath.Join(t.TempDir(), "none"))
			return f
		}, wantErr: "namespace from kubeconfig: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flags := kubeconfigFlags(t)
			if tt.flags != nil {
				flags = tt.flags(t)
			}
			var cfg *rest.Config
			if flags != nil {
				flags.WrapConfigFn = func(c *rest.Config) *rest.Config {
					if cfg == nil {
						cfg = c // the first: the one the clients are built from
					}
					return c
				}
			}
			c, err := NewClients(flags, tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one starting with %q", err, tt.wantErr)
				}
				if flags == nil && !errors.Is(err, ErrNoConfigFlags) {
					t.Errorf("error %v does not wrap ErrNoConfigFlags", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want(t, c, cfg)
		})
	}
}
