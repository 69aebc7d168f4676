package shipped

import (
	"os"
	"testing"
)

func TestBuild(t *testing.T) {
	bin := Build(t, "github.com/gitward/gitward/tests/localcluster/cmd/localcluster")
	if fi, err := os.Stat(bin); err != nil || fi.Mode()&0o111 == 0 {
		t.Fatalf("binary %s: %v %v", bin, fi, err)
	}
}
