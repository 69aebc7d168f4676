package localcluster

import "testing"

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
			for _, p := range c.procs {
				t.Logf("--- %s (pid %d) log %s ends with:\n%s", p.name, p.pid(), p.logPath, p.tail())
			}
		}
		if err := c.Stop(); err != nil {
			t.Errorf("stopping the local control plane: %v", err)
		}
	})
	return c
}
