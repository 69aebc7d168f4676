package localcluster

import (
	"errors"
	"os"
	"testing"
)

// StartForTest starts a cluster for t and registers its Stop with
// t.Cleanup. It fails t (naming `make tools` when binaries are missing)
// instead of skipping. When t failed, the cleanup logs the tail of every
// component's log before stopping. The context bounding the startup is
// t.Context().
func StartForTest(t testing.TB, o Options) *Cluster {
	t.Helper()
	c, err := Start(t.Context(), o)
	if err != nil {
		t.Fatalf("starting the local control plane: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range c.allProcs() {
				t.Logf("--- %s (pid %d) log %s ends with:\n%s", p.name, p.pid(), p.logPath, p.tail())
			}
		}
		if err := c.Stop(); err != nil {
			t.Errorf("stopping the local control plane: %v", err)
		}
	})
	return c
}

// StartNodeForTest is StartForTest with a real node (o.Node, default
// options when nil). It skips t when this machine cannot run a node
// (ErrNodeUnavailable: not root, not Linux, a package or binary missing),
// except on CI (env CI=true), where the node tests must run and t fails.
func StartNodeForTest(t testing.TB, o Options) *Cluster {
	t.Helper()
	if o.Node == nil {
		o.Node = &NodeOptions{}
	}
	probe := o
	if err := probe.Complete(); err == nil {
		if err := probe.Validate(); errors.Is(err, ErrNodeUnavailable) {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI runs the node tests: %v", err)
			}
			t.Skipf("skipping: this machine cannot run a node: %v", err)
		}
	}
	return StartForTest(t, o)
}
