package promote

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gitward/gitward/pkg/config"
)

// tree builds an fstest.MapFS from path/content pairs.
func tree(kv ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = &fstest.MapFile{Data: []byte(kv[i+1])}
	}
	return m
}

func overlaysConfig(rules config.Promotion) *config.Config {
	return &config.Config{
		Environments: []config.Environment{
			{Name: "staging", Path: "overlays/staging"}, {Name: "production", Path: "overlays/production"},
		},
		Promotion: rules,
	}
}

const prodKust = `# Production: change by promotion only.
resources:
  - ../../base

images:
  - name: ghcr.io/acme/api   # the API
    newTag: "1.4.0"
  - name: ghcr.io/acme/web
    newTag: 2.0.0

configMapGenerator:
  - name: app-config
    behavior: merge
    literals:
      - LOG_LEVEL=warn
      - REGION=eu-west-1
`

const stagingKust = `resources:
- ../../base
images:
- name: ghcr.io/acme/api
  newTag: 1.5.0
- name: ghcr.io/acme/web
  newTag: 2.0.0
configMapGenerator:
- name: app-config
  behavior: merge
  literals:
  - LOG_LEVEL=debug
  - REGION=us-east-1
  - FEATURE_X=on
`

func TestNewPlan(t *testing.T) {
	tests := []struct {
		name   string
		rules  config.Promotion
		src    fstest.MapFS
		dst    fstest.MapFS
		moves  []string
		files  map[string]string // expected new content
		notes  []string
		errIs  error
		errHas string
	}{
		{
			name:  "image tag, bytes kept",
			rules: config.Promotion{Images: true},
			src:   tree("overlays/staging/kustomization.yaml", stagingKust),
			dst:   tree("overlays/production/kustomization.yaml", prodKust),
			moves: []string{"image ghcr.io/acme/api: ghcr.io/acme/api:1.4.0 → ghcr.io/acme/api:1.5.0"},
			files: map[string]string{"overlays/production/kustomization.yaml": strings.Replace(prodKust, `newTag: "1.4.0"`, `newTag: "1.5.0"`, 1)},
		},
		{
			name:  "digest replaces tag; new image appended",
			rules: config.Promotion{Images: true},
			src:   tree("overlays/staging/kustomization.yaml", "images:\n- name: ghcr.io/acme/api\n  newName: registry.example/api\n  digest: sha256:aaaa\n- name: redis\n  newTag: \"7.2\"\n"),
			dst:   tree("overlays/production/kustomization.yaml", "# keep me\nimages:\n- name: ghcr.io/acme/api # inline\n  newTag: 1.4.0\n"),
			moves: []string{
				"image ghcr.io/acme/api: ghcr.io/acme/api:1.4.0 → registry.example/api@sha256:aaaa",
				"image redis: (new) → redis:7.2",
			},
			files: map[string]string{"overlays/production/kustomization.yaml": "# keep me\nimages:\n- name: ghcr.io/acme/api # inline\n  newName: registry.example/api\n  digest: sha256:aaaa\n- name: redis\n  newTag: \"7.2\"\n"},
		},
		{
			name:  "images into a kustomization without images",
			rules: config.Promotion{Images: true},
			src:   tree("overlays/staging/kustomization.yaml", "images:\n  - name: app\n    newTag: v2\n"),
			dst:   tree("overlays/production/kustomization.yaml", "resources:\n  - ../../base\n"),
			moves: []string{"image app: (new) → app:v2"},
			files: map[string]string{"overlays/production/kustomization.yaml": "resources:\n  - ../../base\nimages:\n  - name: app\n    newTag: v2\n"},
		},
		{
			name:  "literals",
			rules: config.Promotion{ConfigMapLiterals: []config.ConfigMapLiterals{{Name: "app-config", Keys: []string{"LOG_LEVEL", "FEATURE_X", "MISSING"}}}},
			src:   tree("overlays/staging/kustomization.yaml", stagingKust),
			dst:   tree("overlays/production/kustomization.yaml", prodKust),
			moves: []string{
				"configMapGenerator app-config LOG_LEVEL: warn → debug (overlays/production/kustomization.yaml)",
				"configMapGenerator app-config FEATURE_X: (new) → on (overlays/production/kustomization.yaml)",
			},
			notes: []string{"configMapGenerator app-config in overlays/staging/kustomization.yaml has no literal MISSING; not promoted"},
		},
		{
			name:  "YAML path in a HelmRelease patch",
			rules: config.Promotion{YAMLPaths: []config.YAMLPath{{File: "podinfo-values.yaml", Path: "spec.chart.spec.version"}}},
			src: tree("overlays/staging/kustomization.yaml", "resources: []\n",
				"overlays/staging/podinfo-values.yaml", "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\nspec:\n  chart:\n    spec:\n      version: \">=6.6.0\"\n  values:\n    replicaCount: 1\n"),
			dst: tree("overlays/production/kustomization.yaml", "resources: []\n",
				"overlays/production/podinfo-values.yaml", "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\nspec:\n  chart:\n    spec:\n      version: \"6.5.0\"  # pinned\n  values:\n    replicaCount: 3\n"),
			moves: []string{`overlays/production/podinfo-values.yaml spec.chart.spec.version: 6.5.0 → >=6.6.0`},
			files: map[string]string{"overlays/production/podinfo-values.yaml": "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\nspec:\n  chart:\n    spec:\n      version: \">=6.6.0\"  # pinned\n  values:\n    replicaCount: 3\n"},
		},
		{
			name:  "YAML path missing in the target file",
			rules: config.Promotion{YAMLPaths: []config.YAMLPath{{File: "v.yaml", Path: "a.b"}}},
			src:   tree("overlays/staging/kustomization.yaml", "{}\n", "overlays/staging/v.yaml", "a: {b: 1}\n"),
			dst:   tree("overlays/production/kustomization.yaml", "{}\n"),
			errIs: ErrRule, errHas: "overlays/staging/v.yaml exists in staging but overlays/production/v.yaml does not",
		},
		{
			name:  "files and folders",
			rules: config.Promotion{Files: []string{"values.yaml", "config", "absent.yaml"}},
			src: tree("overlays/staging/kustomization.yaml", "{}\n", "overlays/staging/values.yaml", "v: 2\n",
				"overlays/staging/config/a.txt", "a2\n", "overlays/staging/config/b.txt", "b\n"),
			dst: tree("overlays/production/kustomization.yaml", "{}\n", "overlays/production/values.yaml", "v: 1\n",
				"overlays/production/config/a.txt", "a1\n", "overlays/production/config/b.txt", "b\n", "overlays/production/config/old.txt", "x\n"),
			moves: []string{"file overlays/production/values.yaml", "file overlays/production/config/a.txt", "file overlays/production/config/old.txt (deleted)"},
			notes: []string{"promotion.files[2]: overlays/staging/absent.yaml does not exist in staging; not promoted"},
		},
		{
			name:  "nested app kustomizations",
			rules: config.Promotion{Images: true},
			src: tree("overlays/staging/kustomization.yaml", "resources: [api, web]\n",
				"overlays/staging/api/kustomization.yaml", "images:\n- name: api\n  newTag: \"2\"\n",
				"overlays/staging/web/kustomization.yaml", "images:\n- name: web\n  newTag: \"9\"\n"),
			dst: tree("overlays/production/kustomization.yaml", "resources: [api]\n",
				"overlays/production/api/kustomization.yaml", "images:\n- name: api\n  newTag: \"1\"\n"),
			moves: []string{"image api: api:1 → api:2"},
			notes: []string{"staging has a kustomization in web that production lacks; its images are not promoted"},
		},
		{
			name:  "nothing to promote",
			rules: config.Promotion{Images: true},
			src:   tree("overlays/staging/kustomization.yaml", "images:\n- name: api\n  newTag: \"1\"\n"),
			dst:   tree("overlays/production/kustomization.yaml", "images:\n  - name: api\n    newTag: '1'\n"),
			errIs: ErrNothingToPromote, errHas: "production already has what staging has (compared images, chart versions)",
		},
		{
			name:  "copied and edited",
			rules: config.Promotion{Images: true, Files: []string{"kustomization.yaml"}},
			src:   tree("overlays/staging/kustomization.yaml", "images:\n- name: api\n  newTag: \"2\"\n"),
			dst:   tree("overlays/production/kustomization.yaml", "images:\n- name: api\n  newTag: \"1\"\n"),
			errIs: ErrRule, errHas: "is both copied",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := NewPlan(PlanOptions{Config: overlaysConfig(tt.rules), From: "staging", To: "production", Source: tt.src, Target: tt.dst})
			if tt.errIs != nil {
				if !errors.Is(err, tt.errIs) || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("err = %v, want %v containing %q", err, tt.errIs, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewPlan: %v", err)
			}
			var moves []string
			for _, m := range plan.Moves {
				moves = append(moves, m.String())
			}
			if strings.Join(moves, "\n") != strings.Join(tt.moves, "\n") {
				t.Errorf("moves:\n%s\nwant:\n%s", strings.Join(moves, "\n"), strings.Join(tt.moves, "\n"))
			}
			if strings.Join(plan.Notes, "\n") != strings.Join(tt.notes, "\n") {
				t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(plan.Notes, "\n"), strings.Join(tt.notes, "\n"))
			}
			for name, want := range tt.files {
				if got := string(plan.Changes[name]); got != want {
					t.Errorf("%s:\n%s\nwant:\n%s", name, got, want)
				}
			}
		})
	}
}

func TestNewPlanRefusals(t *testing.T) {
	src := tree("overlays/staging/kustomization.yaml", "{}\n")
	cfg := overlaysConfig(config.Promotion{Images: true})
	cfg.Environments = append(cfg.Environments, config.Environment{Name: "prod2", Path: "overlays/production"})
	for _, tt := range []struct{ from, to, want string }{
		{"staging", "nope", `environment "nope": not found`},
		{"production", "prod2", "same environment"},
	} {
		_, err := NewPlan(PlanOptions{Config: cfg, From: tt.from, To: tt.to, Source: src, Target: src})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s→%s: err = %v, want %q", tt.from, tt.to, err, tt.want)
		}
	}
}

func TestMessage(t *testing.T) {
	p := &Plan{
		From:  config.Environment{Name: "staging", Path: "overlays/staging"},
		To:    config.Environment{Name: "production", Path: "overlays/production"},
		Moves: []Move{{Kind: MoveImage, Name: "api", Before: "api:1", After: "api:2"}, {Kind: MoveFile, File: "overlays/production/v.yaml", After: "copied"}},
	}
	want := "Promote staging to production\n\nMoved from staging (overlays/staging) to production (overlays/production):\n- image api: api:1 → api:2\n- file overlays/production/v.yaml (new)\n\nPromoted-From: staging@abc\n"
	if got := p.Message("abc"); got != want {
		t.Errorf("Message:\n%s\nwant:\n%s", got, want)
	}
}
