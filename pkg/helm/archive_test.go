package helm_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gitward/gitward/pkg/helm"
)

// tgz packs files (name → content) as a chart archive; a negative size in
// sizes declares a header size without writing it (a lying header).
func tgz(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, data := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// guestbookArchive is the vendored helm-guestbook as helm package packs it.
func guestbookArchive(t testing.TB) []byte {
	t.Helper()
	files := map[string][]byte{}
	err := fs.WalkDir(os.DirFS("testdata"), "helm-guestbook", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".md") {
			return err
		}
		files[p], err = os.ReadFile("testdata/" + p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tgz(t, files)
}

func TestLoadArchiveRenders(t *testing.T) {
	ch, err := helm.LoadArchive(bytes.NewReader(guestbookArchive(t)), helm.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	fromArchive, err := helm.RenderChart(context.Background(), ch, helm.Release{Name: "gb"}, helm.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	fromDir, err := helm.Render(context.Background(), guestbook, helm.Release{Name: "gb"}, helm.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fromArchive, fromDir) {
		t.Errorf("archive and folder render differently:\n%s\n---\n%s", fromArchive, fromDir)
	}
}

func TestLoadArchiveBounds(t *testing.T) {
	start := time.Now()
	// 100 MB of input: refused after reading ArchiveBytes.
	_, err := helm.LoadArchive(io.LimitReader(zeros{}, 100<<20), helm.Limits{})
	if !errors.Is(err, helm.ErrTooLarge) {
		t.Errorf("100 MB archive: got %v, want ErrTooLarge", err)
	}
	t.Logf("100 MB archive: %v (%s)", err, time.Since(start).Round(time.Millisecond))
	// A gzip bomb: 64 MB of zeros in one file compresses to ~64 KB.
	bomb := tgz(t, map[string][]byte{"c/Chart.yaml": []byte("apiVersion: v2\nname: c\nversion: 1.0.0\n"), "c/templates/big.yaml": make([]byte, 64<<20)})
	_, err = helm.LoadArchive(bytes.NewReader(bomb), helm.Limits{})
	if !errors.Is(err, helm.ErrTooLarge) || !strings.Contains(err.Error(), "big.yaml") {
		t.Errorf("gzip bomb: got %v, want ErrTooLarge naming the file", err)
	}
	// Too many files.
	many := map[string][]byte{"c/Chart.yaml": []byte("apiVersion: v2\nname: c\nversion: 1.0.0\n")}
	for i := range 50 {
		many["c/templates/"+strings.Repeat("x", i+1)+".yaml"] = []byte("{}")
	}
	_, err = helm.LoadArchive(bytes.NewReader(tgz(t, many)), helm.Limits{Files: 20})
	if !errors.Is(err, helm.ErrTooLarge) {
		t.Errorf("many files: got %v, want ErrTooLarge", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("bounds took %s", d)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// FuzzLoadArchive feeds arbitrary bytes to the loader: it must return a
// chart or an error, within the limits, and never panic.
func FuzzLoadArchive(f *testing.F) {
	f.Add(guestbookArchive(f))
	f.Add(tgz(f, map[string][]byte{"c/Chart.yaml": []byte("apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies: [{name: d}]\n"), "c/charts/d/Chart.yaml": []byte("name: d\nversion: x\n")}))
	f.Add(tgz(f, map[string][]byte{"../evil/Chart.yaml": []byte("name: evil\n")}))
	f.Add([]byte{0x1f, 0x8b, 0x08, 0x00})
	f.Add([]byte("not an archive"))
	lim := helm.Limits{ArchiveBytes: 1 << 20, ChartBytes: 4 << 20, FileBytes: 1 << 20, Files: 200}
	f.Fuzz(func(t *testing.T, data []byte) {
		ch, err := helm.LoadArchive(bytes.NewReader(data), lim)
		if err == nil && ch == nil {
			t.Fatal("no chart and no error")
		}
	})
}
