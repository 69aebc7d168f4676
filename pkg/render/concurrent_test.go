package render_test

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/gitward/gitward/pkg/render"
)

// TestConcurrentRenders renders fixtures in parallel (run with -race):
// the agent and promote render several trees at once.
func TestConcurrentRenders(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(goldenCases))
	for i := range 2 {
		for _, c := range goldenCases {
			wg.Go(func() {
				res, err := render.FS(context.Background(), os.DirFS("testdata"), c, render.Options{Origins: i == 1})
				if err != nil {
					errs <- err
					return
				}
				want, _ := os.ReadFile(goldenPath(c))
				if got, _ := res.YAML(); string(got) != string(want) {
					t.Errorf("%s: concurrent render differs from the golden file", c)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
