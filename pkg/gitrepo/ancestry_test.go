package gitrepo

import (
	"errors"
	"testing"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

func TestIsAncestor(t *testing.T) {
	h := newHistory(t)
	r := mustOpen(t, h.src.Dir)
	unknown := "0123456789012345678901234567890123456789"
	tests := []struct {
		name, ancestor, descendant string
		want                       bool
		wantErr                    error
	}{
		{name: "equal", ancestor: h.c3, descendant: h.c3, want: true},
		{name: "linear", ancestor: h.c1, descendant: h.c3, want: true},
		{name: "linear, reversed", ancestor: h.c3, descendant: h.c1, want: false},
		{name: "branch is not on main before the merge", ancestor: h.f1, descendant: h.c3, want: false},
		{name: "branch reached through the merge", ancestor: h.f1, descendant: h.c5, want: true},
		{name: "merge first parent", ancestor: h.c3, descendant: h.m, want: true},
		{name: "fork point", ancestor: h.c2, descendant: h.f2, want: true},
		{name: "main is not on the branch", ancestor: h.c3, descendant: h.f2, want: false},
		{name: "unrelated root", ancestor: h.o1, descendant: h.c5, want: false},
		{name: "unrelated, reversed", ancestor: h.c5, descendant: h.o1, want: false},
		{name: "unknown ancestor", ancestor: unknown, descendant: h.c5, want: false},
		{name: "unknown descendant", ancestor: h.c1, descendant: unknown, wantErr: ErrCommitNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.IsAncestor(hash(tt.ancestor), hash(tt.descendant))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("IsAncestor = %v, %v; want error %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("IsAncestor = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// TestIsAncestorShallow clones main with depth 2 (c5 and the merge m; m's
// parents are missing), checks that undecidable questions return
// ErrShallowHistory, then deepens and asks again.
func TestIsAncestorShallow(t *testing.T) {
	h := newHistory(t)
	bare := h.src.Bare()
	ctx := testCtx(t)
	r, err := Clone(ctx, CloneOptions{URL: gittest.FileURL(bare), Branch: "main", Depth: 2})
	if err != nil {
		t.Fatal(err)
	}
	type question struct {
		name, ancestor, descendant string
		want                       bool
		wantErr                    error
	}
	check := func(t *testing.T, qs []question) {
		t.Helper()
		for _, q := range qs {
			got, err := r.IsAncestor(hash(q.ancestor), hash(q.descendant))
			if q.wantErr != nil {
				if !errors.Is(err, q.wantErr) {
					t.Errorf("%s: IsAncestor = %v, %v; want error %v", q.name, got, err, q.wantErr)
				}
				continue
			}
			if err != nil || got != q.want {
				t.Errorf("%s: IsAncestor = %v, %v; want %v", q.name, got, err, q.want)
			}
		}
	}
	check(t, []question{
		{name: "inside the shallow history", ancestor: h.m, descendant: h.c5, want: true},
		{name: "equal", ancestor: h.c5, descendant: h.c5, want: true},
		{name: "beyond the boundary", ancestor: h.c1, descendant: h.c5, wantErr: ErrShallowHistory},
		{name: "unrelated, undecidable", ancestor: h.o1, descendant: h.c5, wantErr: ErrShallowHistory},
		{name: "descendant not fetched", ancestor: h.c1, descendant: h.c3, wantErr: ErrCommitNotFound},
	})

	if err := r.Deepen(ctx, 4); err != nil {
		t.Fatalf("Deepen(4): %v", err)
	}
	check(t, []question{
		{name: "deepened: c2 is 4 below c5 through the branch", ancestor: h.c2, descendant: h.c5, want: true},
		{name: "deepened: branch", ancestor: h.f1, descendant: h.c5, want: true},
	})

	if err := r.Deepen(ctx, 0); err != nil {
		t.Fatalf("Deepen(0) (unshallow): %v", err)
	}
	check(t, []question{
		{name: "unshallowed: root", ancestor: h.c1, descendant: h.c5, want: true},
		{name: "unshallowed: unrelated", ancestor: h.o1, descendant: h.c5, want: false},
		{name: "unshallowed: branch tip is not main", ancestor: h.c5, descendant: h.c3, want: false},
	})
}
