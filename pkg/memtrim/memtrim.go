package memtrim

import "runtime/debug"

// Stats says what Release gave back.
type Stats struct {
	// ExecutableBytes is the resident size of the executable's mappings
	// that were released (0 where the platform does not support it).
	ExecutableBytes int64
}

// Release returns the Go heap's free pages and the executable's clean
// resident pages to the operating system. It is meant for moments after
// rare, large work (start-up, a rendering), not for a hot path: it reads
// /proc/self/smaps and forces a garbage collection.
func Release() (Stats, error) {
	debug.FreeOSMemory()
	n, err := releaseExecutable()
	return Stats{ExecutableBytes: n}, err
}
