package memtrim

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestReleaseKeepsTheProcessWorking releases the test binary's own clean
// pages and then runs code and reads data that live in them: the kernel
// must map them back. The resident size of the executable's file pages
// must not grow from the release itself.
func TestReleaseKeepsTheProcessWorking(t *testing.T) {
	before := rssFile(t)
	st, err := Release()
	if err != nil {
		t.Fatal(err)
	}
	if st.ExecutableBytes <= 0 {
		t.Fatalf("released %d bytes of the executable, want some", st.ExecutableBytes)
	}
	after := rssFile(t)
	if after >= before {
		t.Errorf("RssFile %d kB before, %d kB after the release: nothing was dropped", before, after)
	}
	// Code and read-only data the runtime and these packages use again.
	if got := strings.Repeat(strconv.Itoa(42), 3); got != "424242" {
		t.Fatalf("after release: %q", got)
	}
	if _, err := Release(); err != nil {
		t.Fatalf("second release: %v", err)
	}
}

func rssFile(t *testing.T) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "RssFile:"); ok {
			return kB(strings.TrimSpace(v)) / 1024
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}
