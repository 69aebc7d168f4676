package history

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

// deployment is base/deployment.yaml of the layout, running api 1.0.0.
var deployment = gittest.LayoutDeployment("1.0.0")

// repo builds, with the git CLI, a history of base + overlays/dev|prod.
func repo(t *testing.T) (*gittest.Repo, map[string]string) {
	t.Helper()
	r := gittest.NewRepo(t)
	c := map[string]string{}
	r.WriteFiles(gittest.Layout{BaseTag: "1.0.0", Tags: map[string]string{"dev": "", "prod": ""}}.Files())
	c["init"] = r.Commit("init: base, dev, prod")
	r.WriteFile("README.md", "# manifests\n")
	c["readme"] = r.Commit("docs: readme")
	r.WriteFile("base/deployment.yaml", deployment+"        ports: [{containerPort: 8080}]\n")
	c["base"] = r.Commit("base: expose 8080")
	r.WriteFile("overlays/dev/kustomization.yaml", gittest.LayoutOverlay("dev", "1.1.0"))
	c["dev"] = r.Commit("dev: api 1.1.0")
	r.WriteFile("overlays/prod/kustomization.yaml", gittest.LayoutOverlay("prod", "1.1.0"))
	c["promote"] = r.Commit("prod: api 1.1.0\n\nimages: ghcr.io/acme/api 1.0.0 -> 1.1.0\n\nPromoted-From: dev@" + c["dev"])
	r.WriteFile("overlays/dev/notes.txt", "not referenced by the kustomization\n")
	c["notes"] = r.Commit("dev: notes")
	r.WriteFile("base/deployment.yaml", deployment+"        ports: [{containerPort: 8080}]\n").WriteFile("base/other.yaml", "kind: Unused\n")
	c["unused"] = r.Commit("base: a file no kustomization lists")
	return r, c
}

func commits(es []Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Commit)
	}
	return out
}

func TestRun(t *testing.T) {
	r, c := repo(t)
	g, err := gitrepo.Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	cacheFile := filepath.Join(t.TempDir(), "cache.json")
	tests := []struct {
		env  string
		want []string
	}{
		{"prod", []string{c["promote"], c["base"], c["init"]}},
		{"dev", []string{c["dev"], c["base"], c["init"]}},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			cache := OpenFileCache(cacheFile)
			es, st, err := Run(context.Background(), Options{Repo: g, Environment: tt.env, Cache: cache})
			if err != nil {
				t.Fatal(err)
			}
			if got := commits(es); !equal(got, tt.want) {
				t.Fatalf("history %s = %v, want %v", tt.env, got, tt.want)
			}
			if st.Commits != 7 || st.Rendered >= 7 {
				t.Errorf("stats = %+v: want 7 commits walked and fewer renderings", st)
			}
			if err := cache.Save(); err != nil {
				t.Fatal(err)
			}
			_, st2, err := Run(context.Background(), Options{Repo: g, Environment: tt.env, Cache: OpenFileCache(cacheFile)})
			if err != nil {
				t.Fatal(err)
			}
			if st2.Rendered != 0 {
				t.Errorf("second run rendered %d times, want 0 (cache)", st2.Rendered)
			}
		})
	}
	es, _, err := Run(context.Background(), Options{Repo: g, Environment: "prod", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].PromotedFrom != "dev@"+c["dev"] || es[0].Subject != "prod: api 1.1.0" {
		t.Errorf("promotion entry = %+v", es)
	}
	if es[0].Digest == es[0].Previous || es[0].Previous == "" {
		t.Errorf("digests: %q after %q", es[0].Digest, es[0].Previous)
	}
	if _, _, err := Run(context.Background(), Options{Repo: g, Environment: "qa"}); err == nil {
		t.Error("unknown environment: no error")
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTrailer(t *testing.T) {
	tests := []struct{ msg, want string }{
		{"subject\n\nbody\n\nPromoted-From: staging@abc\n", "staging@abc"},
		{"subject\n\nPromoted-From: a@1\nSigned-off-by: x\n", "a@1"},
		{"Promoted-From: not@a-trailer\n", ""},
		{"subject\n\nbody mentions Promoted-From: x@y\nmore", ""},
	}
	for _, tt := range tests {
		if got := trailer(tt.msg, TrailerPromotedFrom); got != tt.want {
			t.Errorf("trailer(%q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
}
