package memtrim

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// mapping is one entry of /proc/PID/smaps, with the fields Release needs.
type mapping struct {
	Start, End uintptr
	Perms      string // "r-xp"
	Path       string
	RssBytes   int64
	// AnonBytes counts private copies of the mapping's pages (written or
	// copied on write): MADV_DONTNEED would discard them.
	AnonBytes int64
}

// releasable reports whether m is a read-only mapping of the executable
// exe whose every page can be read back from the file.
func (m mapping) releasable(exe string) bool {
	return m.Path == exe && len(m.Perms) == 4 && m.Perms[1] == '-' && m.Perms[3] == 'p' &&
		m.AnonBytes == 0 && m.RssBytes > 0
}

// parseSmaps reads the mappings of a /proc/PID/smaps text. A mapping whose
// Anonymous line is missing counts as having private pages, so that it is
// never released on a kernel that does not report it.
func parseSmaps(data []byte) ([]mapping, error) {
	var out []mapping
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		key, value, isField := field(text)
		if !isField {
			m, err := parseHeader(text)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			m.AnonBytes = -1
			out = append(out, m)
			continue
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("line %d: field %q before any mapping", line, key)
		}
		cur := &out[len(out)-1]
		switch key {
		case "Rss":
			cur.RssBytes = kB(value)
		case "Anonymous":
			cur.AnonBytes = kB(value)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].AnonBytes < 0 {
			out[i].AnonBytes = 1 // unknown: keep it
		}
	}
	return out, nil
}

// field splits a "Key:   value kB" line. Header lines start with an address
// range, whose first token has no colon at its end.
func field(text string) (key, value string, ok bool) {
	k, v, found := strings.Cut(text, ":")
	if !found || strings.ContainsAny(k, " -") {
		return "", "", false
	}
	return k, strings.TrimSpace(v), true
}

// parseHeader reads "start-end perms offset dev inode [path]".
func parseHeader(text string) (mapping, error) {
	f := strings.Fields(text)
	if len(f) < 5 {
		return mapping{}, fmt.Errorf("mapping header %q: too few fields", text)
	}
	lo, hi, ok := strings.Cut(f[0], "-")
	if !ok {
		return mapping{}, fmt.Errorf("mapping header %q: address range", text)
	}
	start, err1 := strconv.ParseUint(lo, 16, 64)
	end, err2 := strconv.ParseUint(hi, 16, 64)
	if err1 != nil || err2 != nil || end < start {
		return mapping{}, fmt.Errorf("mapping header %q: address range", text)
	}
	m := mapping{Start: uintptr(start), End: uintptr(end), Perms: f[1]}
	// The path is the rest of the line after the inode; it may contain
	// spaces (and ends in " (deleted)" when the file was replaced).
	rest := text
	for range 5 {
		rest = strings.TrimLeft(rest, " \t")
		if i := strings.IndexAny(rest, " \t"); i >= 0 {
			rest = rest[i:]
		} else {
			rest = ""
		}
	}
	m.Path = strings.TrimLeft(rest, " \t")
	return m, nil
}

// kB parses "1234 kB" into bytes; anything else is 0.
func kB(v string) int64 {
	n, err := strconv.ParseInt(strings.TrimSuffix(v, " kB"), 10, 64)
	if err != nil {
		return 0
	}
	return n * 1024
}
