package memtrim

import "testing"

const sampleSmaps = `00400000-00c36000 r--p 00000000 fe:00 10020352                           /opt/gitward webhook
Size:               8408 kB
Rss:                2584 kB
Anonymous:             0 kB
00c36000-01f40000 r-xp 00836000 fe:00 10020352                           /opt/gitward webhook
Rss:               19496 kB
Anonymous:             0 kB
03379000-0337a000 r--p 02f78000 fe:00 10020352                           /opt/gitward webhook
Rss:                   4 kB
Anonymous:             4 kB
0337a000-03465000 rw-p 02f79000 fe:00 10020352                           /opt/gitward webhook
Rss:                 476 kB
Anonymous:           124 kB
03465000-054b1000 rw-p 00000000 00:00 0 
Rss:                 124 kB
Anonymous:           124 kB
7f0000000000-7f0000001000 r--p 00000000 fe:00 42                         /usr/lib/libc.so.6
Rss:                   4 kB
Anonymous:             0 kB
7f0000002000-7f0000003000 r-xp 00000000 fe:00 10020352                   /opt/gitward webhook
Rss:                   4 kB
`

func TestParseSmapsAndReleasable(t *testing.T) {
	maps, err := parseSmaps([]byte(sampleSmaps))
	if err != nil {
		t.Fatal(err)
	}
	if len(maps) != 7 {
		t.Fatalf("got %d mappings, want 7", len(maps))
	}
	const exe = "/opt/gitward webhook"
	want := []bool{
		true,  // read-only data, clean
		true,  // text, clean
		false, // read-only now but written at start-up (GOT): private pages
		false, // writable data
		false, // anonymous memory
		false, // another file
		false, // no Anonymous line: unknown, kept
	}
	for i, m := range maps {
		if got := m.releasable(exe); got != want[i] {
			t.Errorf("mapping %d (%x-%x %s %q anon=%d): releasable=%v, want %v",
				i, m.Start, m.End, m.Perms, m.Path, m.AnonBytes, got, want[i])
		}
	}
	if maps[1].Start != 0xc36000 || maps[1].End != 0x1f40000 || maps[1].RssBytes != 19496*1024 {
		t.Errorf("text mapping parsed as %+v", maps[1])
	}
	if maps[4].Path != "" {
		t.Errorf("anonymous mapping path = %q, want empty", maps[4].Path)
	}
}

func TestParseSmapsRejectsGarbage(t *testing.T) {
	for _, in := range []string{
		"Rss: 4 kB\n",                      // a field before any mapping
		"zzzz-0001 r--p 0 fe:00 1 /x\n",    // not an address
		"00002000-00001000 r--p 0 fe:00\n", // end before start
	} {
		if _, err := parseSmaps([]byte(in)); err == nil {
			t.Errorf("parseSmaps(%q) succeeded, want an error", in)
		}
	}
}
