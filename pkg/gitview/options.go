package gitview

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/pkg/render"
)

// Defaults of Options.
const (
	DefaultPollInterval     = 30 * time.Second
	DefaultFetchTimeout     = 3 * time.Second
	DefaultMinFetchInterval = 2 * time.Second
	DefaultCacheSize        = 4
	DefaultMaxRenders       = 2
)

// RenderFunc renders folder p of a Git tree.
type RenderFunc func(ctx context.Context, fsys fs.FS, p string) ([]*unstructured.Unstructured, error)

// Hooks observe the view; nil hooks are skipped. They are how metrics are
// counted without this package depending on a metrics library.
type Hooks struct {
	// Cache is called for every rendering look-up.
	Cache func(hit bool)
	// Fetch is called after every fetch; why is "poll", "miss" or "refresh".
	Fetch func(why string, d time.Duration, err error)
	// Render is called after every rendering.
	Render func(d time.Duration, objects int, err error)
}

// Options configure a View.
type Options struct {
	// Name of the source (the value of the source label).
	Name string
	// URL of the repository; Branch to track; Path of the folder to render.
	URL, Branch, Path string
	// Auth is the Git credential (gitrepo.AuthFromFiles); nil: anonymous.
	Auth transport.AuthMethod
	// Dir keeps the clone on disk; "" keeps it in memory.
	Dir string
	// PollInterval between fetches of the branch.
	PollInterval time.Duration
	// FetchTimeout bounds a fetch made while a request waits.
	FetchTimeout time.Duration
	// MinFetchInterval is the least time between two fetches made for requests.
	MinFetchInterval time.Duration
	// CacheSize is how many commits' renderings are kept (the current and
	// the previous head always are, beyond it).
	CacheSize int
	// MaxRenders bounds the renderings of commits other than the head that
	// requests start at once; more wait, within their deadline.
	MaxRenders int
	// Render renders a tree; default: render.FS without remote bases.
	Render RenderFunc
	// Log receives structured logs.
	Log   logr.Logger
	Hooks Hooks
}

// ErrInvalidOptions is wrapped by Validate errors.
var ErrInvalidOptions = errors.New("invalid git view options")

// Complete fills in defaults.
func (o *Options) Complete() {
	if o.PollInterval == 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.FetchTimeout == 0 {
		o.FetchTimeout = DefaultFetchTimeout
	}
	if o.MinFetchInterval == 0 {
		o.MinFetchInterval = DefaultMinFetchInterval
	}
	if o.CacheSize == 0 {
		o.CacheSize = DefaultCacheSize
	}
	if o.MaxRenders == 0 {
		o.MaxRenders = DefaultMaxRenders
	}
	if o.Render == nil {
		o.Render = func(ctx context.Context, fsys fs.FS, p string) ([]*unstructured.Unstructured, error) {
			res, err := render.FS(ctx, fsys, p, render.Options{SkipYAML: true})
			if err != nil {
				return nil, err
			}
			return res.Objects, nil
		}
	}
	if o.Log.GetSink() == nil {
		o.Log = logr.Discard()
	}
}

// Validate reports missing or impossible settings, naming the source.
func (o *Options) Validate() error {
	switch {
	case o.Name == "":
		return fmt.Errorf("%w: the source has no name", ErrInvalidOptions)
	case o.URL == "":
		return fmt.Errorf("%w: source %s: the repository URL is empty", ErrInvalidOptions, o.Name)
	case o.Branch == "":
		return fmt.Errorf("%w: source %s: the branch is empty", ErrInvalidOptions, o.Name)
	case o.Path == "":
		return fmt.Errorf("%w: source %s: the path is empty", ErrInvalidOptions, o.Name)
	case o.PollInterval < 0 || o.FetchTimeout < 0 || o.MinFetchInterval < 0 || o.CacheSize < 1 || o.MaxRenders < 1:
		return fmt.Errorf("%w: source %s: intervals must be positive and the cache hold at least one commit", ErrInvalidOptions, o.Name)
	}
	return nil
}
