package memtrim

import (
	"fmt"
	"os"
	"syscall"
)

// releaseExecutable drops the releasable mappings of /proc/self/smaps from
// the resident set and returns how many resident bytes they held.
func releaseExecutable() (int64, error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0, fmt.Errorf("memtrim: find the executable: %w", err)
	}
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return 0, fmt.Errorf("memtrim: read mappings: %w", err)
	}
	maps, err := parseSmaps(smaps)
	if err != nil {
		return 0, fmt.Errorf("memtrim: /proc/self/smaps: %w", err)
	}
	var released int64
	for _, m := range maps {
		if !m.releasable(exe) {
			continue
		}
		if err := madvisePageOut(m.Start, m.End); err != nil {
			return released, fmt.Errorf("memtrim: madvise %x-%x %s: %w", m.Start, m.End, m.Path, err)
		}
		released += m.RssBytes
	}
	return released, nil
}

// madvisePageOut marks an address range read from smaps for random access,
// asks the kernel to reclaim its pages, and unmaps what it could not
// reclaim. Random access turns off the read-ahead that would otherwise map
// the range back in large blocks (up to 2 MiB folios) on the next fault;
// reclaim evicts the clean pages no other process maps; MADV_DONTNEED then
// drops from this process the pages that stay in the page cache (mapped by
// a second replica on the node, or dirty because the binary was written a
// moment ago). Kernels before 5.4 have no MADV_PAGEOUT (EINVAL): there the
// pages are only unmapped. The raw system call takes the addresses as
// numbers, so no Go pointer is made from them.
func madvisePageOut(start, end uintptr) error {
	if err := madvise(start, end, syscall.MADV_RANDOM); err != nil {
		return err
	}
	if err := madvise(start, end, madvPageOut); err != nil && err != syscall.EINVAL {
		return err
	}
	return madvise(start, end, syscall.MADV_DONTNEED)
}

// madvPageOut is MADV_PAGEOUT (Linux 5.4), which package syscall lacks.
const madvPageOut = 21

func madvise(start, end, advice uintptr) error {
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, start, end-start, advice)
	if errno != 0 {
		return errno
	}
	return nil
}
