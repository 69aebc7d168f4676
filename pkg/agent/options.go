package agent

import (
	"errors"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-logr/logr"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/record"

	"github.com/gitward/gitward/pkg/admit"
	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/provenance"
)

// Defaults for the zero values of Options.
const (
	DefaultInterval     = 5 * time.Minute
	DefaultFetchTimeout = 60 * time.Second
	DefaultDebounce     = 2 * time.Second
	DefaultRetryBase    = 2 * time.Second
	DefaultDepth        = 1
)

// SourceSpec is one source the agent tracks.
type SourceSpec struct {
	// Name is the source name: the value of the source label and the name
	// of the SourceState object.
	Name string
	// Repo is the URL to fetch; Branch the branch to track.
	Repo, Branch string
	// Path is the kustomization folder to render. Empty: the path of source
	// Name in the repository's gitward.yaml (or conventional layout) at the
	// head being synced.
	Path string
	// AllowEmpty lets an empty rendering prune every object of the source.
	AllowEmpty bool
}

// Options configures a Syncer.
type Options struct {
	// Config reaches the API server. Required.
	Config *rest.Config
	// Namespace is the agent's namespace: SourceState objects live there.
	Namespace string
	Source    SourceSpec
	// Auth is the Git credential; nil for anonymous access.
	Auth transport.AuthMethod
	// WorkDir holds the bare clone; "" keeps it in memory.
	WorkDir string
	// Depth of the shallow fetch; default DefaultDepth.
	Depth int
	// Interval between full cycles; default DefaultInterval.
	Interval time.Duration
	// FetchTimeout bounds a fetch; default DefaultFetchTimeout.
	FetchTimeout time.Duration
	// Debounce groups watch events before a self-heal cycle.
	Debounce time.Duration
	// RetryBase is the first back-off after a failed cycle; it doubles up to
	// Interval.
	RetryBase time.Duration
	// Keyring, when set, is an armored OpenPGP keyring: a head commit not
	// signed by one of its keys is not applied.
	Keyring string
	// Mode is apply.ModeEnforce (default) or apply.ModeDetect.
	Mode apply.Mode
	// Force takes ownership of conflicting fields.
	Force bool
	// Concurrency bounds the applies in flight.
	Concurrency int
	// Namespaces narrows the live lists to these namespaces (RBAC narrowed
	// to namespaces).
	Namespaces []string
	// Ignore are the webhook's ignore rules (the same --ignore values): a
	// path another manager owns is not set back nor reported as drift.
	Ignore []admit.IgnoreRule
	// Controllers are the field managers whose fields are left alone (nil:
	// apply.DefaultControllers, the HorizontalPodAutoscaler).
	Controllers []apply.Controller
	// Watch turns on self-heal on watch events.
	Watch bool
	// Recorder records Events; nil records none.
	Recorder record.EventRecorder
	// Metrics, when set, is updated after every cycle.
	Metrics *Metrics
	// Log is the logger; default logr.Discard().
	Log logr.Logger
	// ReleaseMemory returns freed memory to the operating system after a
	// cycle that rendered (pkg/memtrim: the heap's free pages and the
	// binary's clean pages): a rendering is the only large allocation and
	// touches much of kustomize's code, and the agent's steady RSS should
	// keep neither.
	// It affects the whole process; the gitward-agent binary sets it.
	ReleaseMemory bool
}

// Complete fills in defaults.
func (o *Options) Complete() {
	if o.Depth == 0 {
		o.Depth = DefaultDepth
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.FetchTimeout <= 0 {
		o.FetchTimeout = DefaultFetchTimeout
	}
	if o.Debounce <= 0 {
		o.Debounce = DefaultDebounce
	}
	if o.RetryBase <= 0 {
		o.RetryBase = DefaultRetryBase
	}
	if o.Mode == "" {
		o.Mode = apply.ModeEnforce
	}
	if o.Log.GetSink() == nil {
		o.Log = logr.Discard()
	}
}

// Validate reports missing or invalid settings, naming the field.
func (o *Options) Validate() error {
	var errs []error
	if o.Config == nil {
		errs = append(errs, errors.New("agent: Options.Config is required"))
	}
	if o.Namespace == "" {
		errs = append(errs, errors.New("agent: Options.Namespace is required"))
	}
	if err := provenance.ValidateSource(o.Source.Name); err != nil {
		errs = append(errs, fmt.Errorf("agent: source name: %w", err))
	}
	if o.Source.Repo == "" {
		errs = append(errs, fmt.Errorf("agent: source %q: repo is required", o.Source.Name))
	}
	if o.Mode != apply.ModeEnforce && o.Mode != apply.ModeDetect {
		errs = append(errs, fmt.Errorf("agent: mode %q: want %q or %q", o.Mode, apply.ModeEnforce, apply.ModeDetect))
	}
	if o.Depth < 0 {
		errs = append(errs, fmt.Errorf("agent: depth %d: want 0 (full) or more", o.Depth))
	}
	return errors.Join(errs...)
}
