package charttest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// Archive is a packaged chart.
type Archive struct {
	Name, Version string
	Data          []byte
}

var (
	versionLine    = regexp.MustCompile(`(?m)^version:.*$`)
	appVersionLine = regexp.MustCompile(`(?m)^appVersion:.*$`)
)

// Package archives the chart folder dir as `helm package` lays it out
// (every file under <name>/), with Chart.yaml's version and appVersion set
// to version when it is not empty. The archive is deterministic.
func Package(t testing.TB, dir, name, version string) Archive {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rel == "Chart.yaml" && version != "" {
			b = versionLine.ReplaceAll(b, []byte("version: "+version))
			b = appVersionLine.ReplaceAll(b, []byte("appVersion: "+version))
		}
		hdr := &tar.Header{Name: name + "/" + filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(b)), ModTime: time.Unix(0, 0)}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err = tw.Write(b)
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = gz.Close()
	}
	if err != nil {
		t.Fatalf("package chart %s: %v", dir, err)
	}
	return Archive{Name: name, Version: version, Data: buf.Bytes()}
}
