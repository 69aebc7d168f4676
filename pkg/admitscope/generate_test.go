package admitscope

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedFilesAreUpToDate is the golden test: the webhook
// configuration, the policy floor and the scope table in docs/security.md
// are what this package generates.
func TestGeneratedFilesAreUpToDate(t *testing.T) {
	root := filepath.Join("..", "..")
	files, err := Generate(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		have, err := os.ReadFile(filepath.Join(root, f.Path))
		if err != nil {
			t.Errorf("%s: %v (run `make generate`)", f.Path, err)
			continue
		}
		if !bytes.Equal(have, f.Data) {
			t.Errorf("%s is stale: it differs from what pkg/admitscope generates; run `make generate` and commit the result "+
				"(edit the scope in pkg/admitscope, never the generated file)", f.Path)
		}
	}
}

func TestReplaceSecurityTable(t *testing.T) {
	doc := []byte("intro\n" + TableBegin + "\nold table\n" + TableEnd + "\noutro\n")
	out, err := ReplaceSecurityTable(doc)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("old table")) || !bytes.HasPrefix(out, []byte("intro\n"+TableBegin)) ||
		!bytes.HasSuffix(out, []byte(TableEnd+"\noutro\n")) || !bytes.Contains(out, []byte("`/validate/managed-namespaces`")) {
		t.Errorf("replaced:\n%s", out)
	}
	again, err := ReplaceSecurityTable(out)
	if err != nil || !bytes.Equal(again, out) {
		t.Errorf("not idempotent (err %v)", err)
	}
	if _, err := ReplaceSecurityTable([]byte("no markers")); err == nil {
		t.Error("a page without markers: no error")
	}
}
