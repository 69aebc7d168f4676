package helm

import (
	"errors"
	"time"
)

// Limits bound what one chart may cost. A zero field takes the value of
// DefaultLimits; a negative one disables that bound.
type Limits struct {
	// ArchiveBytes bounds a .tgz as read (compressed).
	ArchiveBytes int64
	// ChartBytes bounds the sum of the chart's file sizes (decompressed).
	ChartBytes int64
	// FileBytes bounds one file of the chart.
	FileBytes int64
	// Files bounds the number of files of the chart, subcharts included.
	Files int
	// ValuesBytes bounds one values document (a values file or inline values).
	ValuesBytes int64
	// ValuesDepth bounds the nesting of a values document.
	ValuesDepth int
	// ValuesNodes bounds the number of maps, lists and scalars in a values
	// document after YAML anchors are expanded (a values bomb).
	ValuesNodes int
	// OutputBytes bounds the rendered YAML.
	OutputBytes int64
	// Timeout bounds one render (template execution included).
	Timeout time.Duration
}

// DefaultLimits are generous for real charts (the largest public charts
// are a few MB and a few hundred files) and small enough that a hostile
// chart fails within seconds and a few hundred MB.
func DefaultLimits() Limits {
	return Limits{
		ArchiveBytes: 20 << 20,
		ChartBytes:   100 << 20,
		FileBytes:    5 << 20,
		Files:        10000,
		ValuesBytes:  5 << 20,
		ValuesDepth:  100,
		ValuesNodes:  1_000_000,
		OutputBytes:  200 << 20,
		Timeout:      30 * time.Second,
	}
}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.ArchiveBytes == 0 {
		l.ArchiveBytes = d.ArchiveBytes
	}
	if l.ChartBytes == 0 {
		l.ChartBytes = d.ChartBytes
	}
	if l.FileBytes == 0 {
		l.FileBytes = d.FileBytes
	}
	if l.Files == 0 {
		l.Files = d.Files
	}
	if l.ValuesBytes == 0 {
		l.ValuesBytes = d.ValuesBytes
	}
	if l.ValuesDepth == 0 {
		l.ValuesDepth = d.ValuesDepth
	}
	if l.ValuesNodes == 0 {
		l.ValuesNodes = d.ValuesNodes
	}
	if l.OutputBytes == 0 {
		l.OutputBytes = d.OutputBytes
	}
	if l.Timeout == 0 {
		l.Timeout = d.Timeout
	}
	return l
}

// over reports whether n exceeds the bound max (negative: unbounded).
func over[T int | int64](n, max T) bool { return max >= 0 && n > max }

// Sentinel errors; returned errors wrap them and name the chart and file.
var (
	// ErrTooLarge: an archive, file, chart, values document or output
	// exceeds its limit.
	ErrTooLarge = errors.New("exceeds the limit")
	// ErrEscapes: a file of the chart (a symlink) points outside the
	// chart's folder.
	ErrEscapes = errors.New("points outside the chart folder")
	// ErrTimeout: rendering took longer than Limits.Timeout.
	ErrTimeout = errors.New("render timed out")
	// ErrOffline: the chart wants the network or a file outside it (a
	// values.schema.json $ref to an http(s) or file URL).
	ErrOffline = errors.New("is outside the chart; gitward renders charts offline, from the chart's own files")
)
