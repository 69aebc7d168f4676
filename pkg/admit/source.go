package admit

import (
	"context"

	"github.com/gitward/gitward/pkg/provenance"
)

// SourceInfo names a source for messages.
type SourceInfo struct {
	Name   string // source name, the value of the source label
	Repo   string // repository URL (credentials never included)
	Branch string // tracked branch
	Path   string // folder rendered, relative to the repository root
}

// Source is Git's view of one source, as the decision needs it. All methods
// must be safe for concurrent use and bounded in time by ctx.
type Source interface {
	// Info names the source.
	Info() SourceInfo
	// Head returns the branch head the view holds now.
	Head(ctx context.Context) (provenance.CommitID, error)
	// OnBranch reports whether c is on the first-parent history of the
	// branch head: the head, its first parent, that one's first parent, and
	// so on (the commits the branch itself was at; not commits of a branch
	// merged into it). An unknown commit is fetched once (within a bounded
	// time) before the answer is no.
	OnBranch(ctx context.Context, c provenance.CommitID) (bool, error)
	// IsAncestor reports whether a is an ancestor of b (a != b). A commit
	// the repository does not have is no ancestor.
	IsAncestor(ctx context.Context, a, b provenance.CommitID) (bool, error)
	// Declared returns the object Git's rendering at c declares under key, or
	// found == false, normalised as the API server stores it (see
	// pkg/gitview). The returned map is shared: callers must not modify it.
	Declared(ctx context.Context, c provenance.CommitID, key Key) (obj map[string]any, found bool, err error)
	// Refresh fetches the branch now (bounded) and returns the new head.
	Refresh(ctx context.Context) (provenance.CommitID, error)
}

// Digester is implemented by a Source that knows the digest the agent
// stamps on the object (provenance.Digest of the rendered object, in the
// request's namespace when the rendering leaves it out).
type Digester interface {
	DeclaredDigest(ctx context.Context, c provenance.CommitID, key Key) (digest string, found bool, err error)
}

// Namespaces tells which source manages a namespace: the namespace's source
// label, or a configured list.
type Namespaces interface {
	SourceOf(ctx context.Context, namespace string) (source string, managed bool, err error)
}

// StaticNamespaces is a fixed namespace → source map.
type StaticNamespaces map[string]string

// SourceOf implements Namespaces.
func (s StaticNamespaces) SourceOf(_ context.Context, namespace string) (string, bool, error) {
	src, ok := s[namespace]
	return src, ok, nil
}

var _ Namespaces = StaticNamespaces(nil)

// unavailableSource answers every question with err: the decision fails
// closed when it cannot tell which source manages a request.
type unavailableSource struct{ err error }

var _ Source = unavailableSource{}

func (u unavailableSource) Info() SourceInfo { return SourceInfo{Name: "?"} }
func (u unavailableSource) Head(context.Context) (provenance.CommitID, error) {
	return "", u.err
}
func (u unavailableSource) OnBranch(context.Context, provenance.CommitID) (bool, error) {
	return false, u.err
}
func (u unavailableSource) IsAncestor(context.Context, provenance.CommitID, provenance.CommitID) (bool, error) {
	return false, u.err
}
func (u unavailableSource) Declared(context.Context, provenance.CommitID, Key) (map[string]any, bool, error) {
	return nil, false, u.err
}
func (u unavailableSource) Refresh(context.Context) (provenance.CommitID, error) { return "", u.err }
