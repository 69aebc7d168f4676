package render

import (
	"context"
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"
)

func TestTreeFSIsReadOnly(t *testing.T) {
	tfs := &treeFS{
		ctx:    context.Background(),
		res:    newResolver(fstest.MapFS{"a/f.yaml": {Data: []byte("x")}}, ""),
		prefix: treePrefix,
	}
	p := tfs.abs("a/f.yaml")
	if _, err := tfs.Create(p); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Create: %v", err)
	}
	for name, err := range map[string]error{
		"WriteFile": tfs.WriteFile(p, nil),
		"Mkdir":     tfs.Mkdir(tfs.abs("b")),
		"MkdirAll":  tfs.MkdirAll(tfs.abs("b/c")),
		"RemoveAll": tfs.RemoveAll(p),
	} {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s: got %v, want ErrReadOnly", name, err)
		}
	}
	f, err := tfs.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write([]byte("y")); !errors.Is(err, ErrReadOnly) {
		t.Errorf("File.Write: %v", err)
	}
}

func TestTreeFSPaths(t *testing.T) {
	tfs := &treeFS{
		ctx: context.Background(),
		res: newResolver(fstest.MapFS{
			"a/f.yaml":     {Data: []byte("x")},
			"a/.hidden":    {Data: []byte("h")},
			"a/sub/g.yaml": {Data: []byte("y")},
		}, ""),
		prefix: treePrefix,
	}
	d, f, err := tfs.CleanedAbs(tfs.abs("a/sub/../f.yaml"))
	if err != nil || string(d) != tfs.abs("a") || f != "f.yaml" {
		t.Errorf("CleanedAbs = %q, %q, %v", d, f, err)
	}
	if !tfs.IsDir(tfs.abs("a/sub")) || tfs.IsDir(tfs.abs("a/f.yaml")) || tfs.Exists(tfs.abs("nope")) {
		t.Error("IsDir/Exists disagree with the tree")
	}
	names, err := tfs.ReadDir(tfs.abs("a"))
	if err != nil || len(names) != 3 {
		t.Errorf("ReadDir = %v, %v", names, err)
	}
	matches, err := tfs.Glob(tfs.abs("a/*"))
	if err != nil || len(matches) != 2 {
		t.Errorf("Glob hides dot files like the on-disk FS: %v, %v", matches, err)
	}
	var walked []string
	err = tfs.Walk(tfs.abs("a"), func(p string, _ fs.FileInfo, err error) error {
		walked = append(walked, p)
		return err
	})
	if err != nil || len(walked) != 5 {
		t.Errorf("Walk visited %v, %v", walked, err)
	}
	if tfs.Exists("/etc/passwd") || !errors.Is(tfs.violation, ErrEscapesRoot) {
		t.Errorf("a path outside the root was not recorded as a violation: %v", tfs.violation)
	}
}
