// Package memtrim gives memory the process no longer needs back to the
// operating system, for the two long-running binaries (gitward-webhook and
// gitward-agent) whose resident size is what their memory limits and users
// judge them by.
//
// Two kinds of memory are returned:
//
//   - free pages of the Go heap (runtime/debug.FreeOSMemory), after a
//     rendering churned through many times what is kept;
//   - clean pages of the process's own executable. Go runs every package
//     initialiser at start-up (client-go, controller-runtime, kustomize,
//     go-git: about a thousand packages), and the kernel maps file pages
//     around each page touched, so a 60–75 MB binary has nearly all of its
//     text and read-only data resident before main runs, although the
//     steady work touches a small part of it. Those mappings are marked for
//     random access (no read-ahead, which would map them back in blocks of
//     up to 2 MiB), their pages reclaimed with madvise(MADV_PAGEOUT) and
//     what could not be reclaimed unmapped (MADV_DONTNEED); the kernel
//     reads back, one page at a time, any page that is used again.
//
// Only read-only mappings of the executable without private (copy-on-write)
// pages are released: for those, reclaiming cannot lose data. Writable
// mappings (data, bss) and pages the process has modified are never touched.
// Pages that another process maps too (a second replica on the node) and
// dirty pages of a binary written a moment ago cannot be evicted; they are
// only unmapped from this process and stay in the page cache, from where
// fault-around maps them back in larger blocks. The release works best for
// installed binaries, which is what runs in a cluster.
//
// The cost: after a release, the first use of a code page is a read from
// disk (or the page cache) instead of a memory access, a few hundred small
// reads spread over the next requests.
package memtrim
