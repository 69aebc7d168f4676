package gitview

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitward/gitward/pkg/admit"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/provenance"
)

// fixture is a repository with one source at overlays/production.
type fixture struct {
	work *gittest.Repo
	bare string
}

func newFixture(t *testing.T) (*fixture, provenance.CommitID) {
	t.Helper()
	f := &fixture{work: gittest.NewRepo(t)}
	f.work.WriteFile("overlays/production/kustomization.yaml", "namespace: shop\nresources: [cm.yaml, secret.yaml]\n")
	f.work.WriteFile("overlays/production/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: hunter2}\n")
	c := f.setReplicas("1")
	f.bare = f.work.Bare()
	return f, c
}

// setReplicas commits a ConfigMap whose data.replicas is n.
func (f *fixture) setReplicas(n string) provenance.CommitID {
	f.work.WriteFile("overlays/production/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {replicas: \""+n+"\"}\n")
	return provenance.CommitID(f.work.Commit("replicas " + n))
}

func (f *fixture) push() { f.work.Push(f.bare, "main") }

var cmKey = admit.Key{Kind: "ConfigMap", Namespace: "shop", Name: "web"}

func newView(t *testing.T, f *fixture, hooks Hooks) *View {
	t.Helper()
	v, err := New(context.Background(), Options{Name: "production", URL: gittest.FileURL(f.bare), Branch: "main",
		Path: "overlays/production", MinFetchInterval: time.Nanosecond, Hooks: hooks})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestView(t *testing.T) {
	ctx := context.Background()
	f, c1 := newFixture(t)
	var hits, misses atomic.Int32
	v := newView(t, f, Hooks{Cache: func(hit bool) {
		if hit {
			hits.Add(1)
		} else {
			misses.Add(1)
		}
	}})
	if !v.Ready() {
		t.Fatal("not ready after the head rendered")
	}
	if h, _ := v.Head(ctx); h != c1 {
		t.Fatalf("head %s, want %s", h, c1)
	}
	obj, found, err := v.Declared(ctx, c1, cmKey)
	if err != nil || !found {
		t.Fatalf("Declared: %v %v", found, err)
	}
	if got := obj["data"].(map[string]any)["replicas"]; got != "1" {
		t.Errorf("data.replicas = %v", got)
	}
	if hits.Load() != 1 || misses.Load() != 0 {
		t.Errorf("head look-up: %d hits, %d misses; want a pre-rendered hit", hits.Load(), misses.Load())
	}
	secret, found, _ := v.Declared(ctx, c1, admit.Key{Kind: "Secret", Namespace: "shop", Name: "s"})
	if !found || secret["data"].(map[string]any)["password"] != "aHVudGVyMg==" || secret["stringData"] != nil {
		t.Errorf("Secret stringData not folded into data: %v", secret)
	}

	// A commit pushed after the clone: unknown, fetched once on demand.
	c2 := f.setReplicas("2")
	f.push()
	ok, err := v.OnBranch(ctx, c2)
	if err != nil || !ok {
		t.Fatalf("OnBranch(new commit) = %v, %v; want fetched and true", ok, err)
	}
	if h, _ := v.Head(ctx); h != c2 {
		t.Errorf("head after the fetch on miss = %s, want %s", h, c2)
	}
	if ok, _ := v.OnBranch(ctx, c1); !ok {
		t.Error("the older commit is not on the branch")
	}
	if older, _ := v.IsAncestor(ctx, c1, c2); !older {
		t.Error("c1 is not an ancestor of c2")
	}
	if older, _ := v.IsAncestor(ctx, c2, c1); older {
		t.Error("c2 is an ancestor of c1")
	}

	// A commit on another branch is not on the tracked branch.
	f.work.Git("checkout", "--quiet", "-b", "feature")
	side := f.setReplicas("99")
	f.work.Push(f.bare, "feature")
	if ok, err := v.OnBranch(ctx, side); ok || err != nil {
		t.Errorf("OnBranch(side branch) = %v, %v; want false", ok, err)
	}
	made := provenance.CommitID(strings.Repeat("ab", 20))
	if ok, err := v.OnBranch(ctx, made); ok || err != nil {
		t.Errorf("OnBranch(made-up) = %v, %v; want false", ok, err)
	}

	// Refresh picks up a new head.
	f.work.Git("checkout", "--quiet", "main")
	c3 := f.setReplicas("3")
	f.push()
	if h, err := v.Refresh(ctx); err != nil || h != c3 {
		t.Errorf("Refresh = %s, %v; want %s", h, err, c3)
	}
}

func TestPollPreRenders(t *testing.T) {
	f, _ := newFixture(t)
	rendered := make(chan int, 10)
	v, err := New(context.Background(), Options{Name: "production", URL: gittest.FileURL(f.bare), Branch: "main",
		Path: "overlays/production", PollInterval: 10 * time.Millisecond,
		Hooks: Hooks{Render: func(_ time.Duration, n int, _ error) { rendered <- n }}})
	if err != nil {
		t.Fatal(err)
	}
	<-rendered // the head at clone
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go v.Run(ctx)
	c2 := f.setReplicas("2")
	f.push()
	<-rendered // the new head, rendered by the poll before any request
	for h, _ := v.Head(ctx); h != c2; h, _ = v.Head(ctx) {
		time.Sleep(time.Millisecond)
	}
}

func TestRenderErrorFailsClosed(t *testing.T) {
	ctx := context.Background()
	f, _ := newFixture(t)
	f.work.WriteFile("overlays/production/kustomization.yaml", "resources: [missing.yaml]\n")
	bad := provenance.CommitID(f.work.Commit("break it"))
	f.push()
	v := newView(t, f, Hooks{})
	if v.Ready() {
		t.Error("ready although the head does not render")
	}
	if _, _, err := v.Declared(ctx, bad, cmKey); err == nil || !strings.Contains(err.Error(), "overlays/production") {
		t.Errorf("Declared at a broken commit: %v; want an error naming the path", err)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, o := range []Options{{}, {Name: "p"}, {Name: "p", URL: "u"}, {Name: "p", URL: "u", Branch: "b"}} {
		o.Complete()
		if err := o.Validate(); err == nil {
			t.Errorf("%+v validated", o)
		}
	}
}
