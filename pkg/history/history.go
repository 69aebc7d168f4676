package history

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/render"
)

// Options say whose history to read.
type Options struct {
	Repo *gitrepo.Repo
	// Environment is the environment's name, looked up in the
	// configuration of the Rev commit (gitward.yaml or layouts); its path
	// is used for the whole history.
	Environment string
	// Rev is where the walk starts; default "HEAD".
	Rev string
	// Limit stops after this many entries; 0 means no limit.
	Limit int
	// Cache keeps digests across runs; nil uses a MemoryCache.
	Cache Cache
	// AllowRemote lets kustomize fetch remote bases.
	AllowRemote bool
}

// Entry is a commit that changed the environment's rendering.
type Entry struct {
	Commit  string    `json:"commit"`
	Author  string    `json:"author"`
	Email   string    `json:"email"`
	When    time.Time `json:"when"`
	Subject string    `json:"subject"`
	// Digest is "sha256:<hex>" of the rendering after the commit, or
	// "error: ..." when it did not render.
	Digest string `json:"digest"`
	// Previous is the parent's digest, "" for the first commit.
	Previous string `json:"previous,omitempty"`
	// PromotedFrom is the value of the Promoted-From trailer
	// ("<env>@<commit>"), for commits made by `git gitops promote`.
	PromotedFrom string `json:"promotedFrom,omitempty"`
}

// Stats say how much work a walk did.
type Stats struct {
	Commits  int // commits walked
	Rendered int // renderings done
	Cached   int // digests taken from the cache
}

// state is what is known about the environment at one commit.
type state struct {
	digest string
	deps   deps // nil when the digest came from the cache
}

// Run walks the first-parent history from Rev and returns the commits that
// changed the environment's rendering, newest first.
func Run(ctx context.Context, o Options) ([]Entry, Stats, error) {
	var st Stats
	if o.Repo == nil {
		return nil, st, errors.New("history: no repository")
	}
	if o.Rev == "" {
		o.Rev = "HEAD"
	}
	if o.Cache == nil {
		o.Cache = &MemoryCache{}
	}
	start, err := o.Repo.Resolve(o.Rev)
	if err != nil {
		return nil, st, err
	}
	tree, err := o.Repo.TreeFS(start)
	if err != nil {
		return nil, st, err
	}
	cfg, err := config.LoadFS(tree)
	if err != nil {
		return nil, st, err
	}
	env, err := cfg.Environment(o.Environment)
	if err != nil {
		return nil, st, err
	}
	w := &walker{o: o, env: env, stats: &st}
	var out []Entry
	c, err := o.Repo.Commit(start)
	if err != nil {
		return nil, st, err
	}
	cur, err := w.stateAt(ctx, c.Hash, tree, nil)
	if err != nil {
		return nil, st, err
	}
	for {
		st.Commits++
		if err := ctx.Err(); err != nil {
			return nil, st, err
		}
		var parent *object.Commit
		var prev state
		if len(c.ParentHashes) > 0 {
			parent, err = o.Repo.Commit(c.ParentHashes[0])
			if err != nil {
				return out, st, fmt.Errorf("history stops at %s: %w", c.Hash, err)
			}
			ptree, err := o.Repo.TreeFS(parent.Hash)
			if err != nil {
				return nil, st, err
			}
			prev, err = w.stateAt(ctx, parent.Hash, ptree, &cur)
			if err != nil {
				return nil, st, err
			}
		}
		if parent == nil || prev.digest != cur.digest {
			if parent != nil || cur.digest != absent {
				out = append(out, entryOf(c, cur.digest, prev.digest))
			}
			if o.Limit > 0 && len(out) >= o.Limit {
				return out, st, nil
			}
		}
		if parent == nil {
			return out, st, nil
		}
		c, cur = parent, prev
	}
}

const absent = "absent"

type walker struct {
	o     Options
	env   config.Environment
	stats *Stats
}

// stateAt is the environment's rendering at commit h: the child's when
// nothing the child's rendering read differs, else the cache's, else a
// fresh rendering.
func (w *walker) stateAt(ctx context.Context, h plumbing.Hash, tree fs.FS, child *state) (state, error) {
	key := "v1:" + w.env.Path + "@" + h.String()
	if child != nil && child.deps != nil && child.deps.sameIn(tree) {
		w.o.Cache.Put(key, child.digest)
		return *child, nil
	}
	if d, ok := w.o.Cache.Get(key); ok {
		w.stats.Cached++
		// No deps: the next (older) commit goes to the cache or renders.
		return state{digest: d}, nil
	}
	rec := newRecordingFS(tree)
	d, err := digest(ctx, rec, w.env.Path, w.o.AllowRemote)
	if err != nil {
		if ctx.Err() != nil {
			return state{}, ctx.Err()
		}
		d = renderError(err)
	}
	w.stats.Rendered++
	w.o.Cache.Put(key, d)
	return state{digest: d, deps: rec.deps()}, nil
}

func digest(ctx context.Context, fsys fs.FS, p string, allowRemote bool) (string, error) {
	if _, err := fs.Stat(fsys, p); err != nil {
		return absent, nil
	}
	res, err := render.FS(ctx, fsys, p, render.Options{AllowRemote: allowRemote})
	if err != nil {
		return "", err
	}
	y, err := res.YAML()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(y)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

func renderError(err error) string { return "error: " + err.Error() }
