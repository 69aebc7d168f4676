package cmd

import (
	"fmt"
	"os"
	"runtime/debug"

	"k8s.io/apimachinery/pkg/api/resource"
)

// DefaultSoftMemoryLimit is the agent's default Go soft memory limit. With
// 2,000 managed objects the steady heap is a few MiB; the limit makes the
// garbage collector work harder during a render instead of letting the heap
// double, and the agent returns freed memory to the OS after each render.
const DefaultSoftMemoryLimit = "40Mi"

// memoryLimit parses --soft-memory-limit; 0 means none.
func (o *RunOptions) memoryLimit() (int64, error) {
	if o.SoftMemoryLimit == "" {
		return 0, nil
	}
	q, err := resource.ParseQuantity(o.SoftMemoryLimit)
	if err != nil {
		return 0, fmt.Errorf("--soft-memory-limit %q: %w", o.SoftMemoryLimit, err)
	}
	if q.Sign() < 0 {
		return 0, fmt.Errorf("--soft-memory-limit %q: must not be negative", o.SoftMemoryLimit)
	}
	return q.Value(), nil
}

// applyMemoryLimit sets the soft memory limit unless GOMEMLIMIT is set.
func (o *RunOptions) applyMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	if n, err := o.memoryLimit(); err == nil && n > 0 {
		debug.SetMemoryLimit(n)
	}
}
