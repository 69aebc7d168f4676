package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// parseFile parses a testdata file, naming it by its base name.
func parseFile(t *testing.T, name string) (*Config, error) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return Parse(data, filepath.Base(name))
}

func TestParseGood(t *testing.T) {
	tests := []struct {
		file string
		want *Config
	}{
		{
			file: "good/full.yaml",
			want: &Config{
				APIVersion: APIVersion, Kind: Kind, File: "full.yaml",
				Environments: []Environment{
					{Name: "dev", Path: "overlays/dev"},
					{Name: "staging", Path: "overlays/staging"},
					{Name: "production", Path: "overlays/production"},
				},
				Sources: []Source{
					{Name: "production", Repo: "https://git.example.com/org/manifests.git", Branch: "main", Path: "overlays/production"},
					{Name: "staging", Branch: "release/2026", Path: "overlays/staging"},
				},
				Promotion: Promotion{Images: false, Files: []string{"configmap.env", "patches/replicas.yaml"}},
				Policies:  []string{"policies/", "extra/require-labels.yaml"},
			},
		},
		{
			file: "good/minimal.yaml",
			want: &Config{
				APIVersion: APIVersion, Kind: Kind, File: "minimal.yaml",
				Environments: []Environment{{Name: "staging", Path: "overlays/staging"}, {Name: "production", Path: "overlays/production"}},
				Sources: []Source{
					{Name: "staging", Branch: "main", Path: "overlays/staging"},
					{Name: "production", Branch: "main", Path: "overlays/production"},
				},
				Promotion: Promotion{Images: true},
			},
		},
		{
			file: "good/root-env.yaml",
			want: &Config{
				APIVersion: APIVersion, Kind: Kind, File: "root-env.yaml",
				Environments: []Environment{{Name: "prod", Path: "."}},
				Sources:      []Source{},
				Promotion:    Promotion{Images: true},
				Policies:     []string{},
			},
		},
		{
			file: "good/anchors.yaml",
			want: &Config{
				APIVersion: APIVersion, Kind: Kind, File: "anchors.yaml",
				Environments: []Environment{{Name: "staging", Path: "overlays/staging"}},
				Sources:      []Source{{Name: "staging", Branch: "main", Path: "overlays/staging"}},
				Promotion:    Promotion{Images: true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := parseFile(t, tt.file)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParseBad(t *testing.T) {
	tests := []struct {
		file string
		errs []error  // sentinels the error wraps
		want []string // lines of the error, in order
	}{
		{"bad/unknown-field.yaml", []error{ErrUnknownField, ErrInvalidValue}, []string{
			`unknown-field.yaml:5:5: environments[0].pth: unknown field "pth"; known fields: name, path`,
			`unknown-field.yaml:4:5: environments[0].path: missing; want a path relative to the repository root`,
		}},
		{"bad/unknown-top.yaml", []error{ErrUnknownField}, []string{
			`unknown-top.yaml:3:1: enviroments: unknown field "enviroments"; known fields: apiVersion, kind, environments, sources, promotion, policies`,
		}},
		{"bad/duplicate-env.yaml", []error{ErrDuplicate}, []string{
			`duplicate-env.yaml:8:11: environments[2].name: environment "staging" is defined twice (first at line 4)`,
		}},
		{"bad/duplicate-key.yaml", []error{ErrDuplicate}, []string{
			`duplicate-key.yaml:6:5: environments[0].path: field "path" is repeated (first at line 5)`,
		}},
		{"bad/path-escape.yaml", []error{ErrInvalidPath}, []string{
			`path-escape.yaml:5:11: environments[0].path: "../other-repo/overlays/staging" leaves the repository; use a path inside it`,
			`path-escape.yaml:7:11: environments[1].path: "/etc/production" is absolute; use a path relative to the repository root`,
			`path-escape.yaml:9:11: environments[2].path: "overlays/./qa/" is not clean; write it as "overlays/qa"`,
			`path-escape.yaml:11:11: environments[3].path: "overlays/x/../dev" contains ".."; write it as "overlays/dev"`,
			`path-escape.yaml:13:11: promotion.files[0]: "../secrets.env" leaves the repository; use a path inside it`,
			`path-escape.yaml:13:27: promotion.files[1]: "." is not allowed here; name a file or folder`,
			`path-escape.yaml:14:12: policies[0]: "/policies" is absolute; use a path relative to the repository root`,
		}},
		{"bad/wrong-apiversion.yaml", []error{ErrUnsupported}, []string{
			`wrong-apiversion.yaml:1:13: apiVersion: "gitward.dev/v1" is not supported; want gitward.dev/v1alpha1`,
			`wrong-apiversion.yaml:2:7: kind: "Configuration" is not supported; want Config`,
		}},
		{"bad/missing-apiversion.yaml", []error{ErrUnsupported}, []string{
			`missing-apiversion.yaml:1:1: apiVersion: missing; want apiVersion: gitward.dev/v1alpha1`,
			`missing-apiversion.yaml:1:1: kind: missing; want kind: Config`,
		}},
		{"bad/bad-names.yaml", []error{ErrInvalidName, ErrInvalidValue, ErrDuplicate}, []string{
			`bad-names.yaml:4:11: environments[0].name: environment name "Production_EU" is not a DNS label: a lowercase RFC 1123 label must consist of`,
			`bad-names.yaml:6:5: environments[1].name: missing; every environment needs a name`,
			`bad-names.yaml:10:13: sources[0].branch: "refs/heads/main" is a ref; write the branch name without refs/heads/`,
			`bad-names.yaml:11:11: sources[1].name: source "prod" is defined twice (first at line 8)`,
			`bad-names.yaml:13:11: sources[1].repo: "https://example.com/a repo.git" contains whitespace`,
			`bad-names.yaml:14:13: sources[1].branch: "feature..x" is not a valid branch name (see git check-ref-format)`,
		}},
		{"bad/wrong-types.yaml", []error{ErrInvalidValue}, []string{
			`wrong-types.yaml:4:3: environments: want a list, got a mapping`,
			`wrong-types.yaml:6:5: sources[0]: want a mapping, got str "staging"`,
			`wrong-types.yaml:8:11: promotion.images: want true or false, got str "yes"`,
			`wrong-types.yaml:9:10: promotion.files: want a list of strings, got str "configmap.env"`,
			`wrong-types.yaml:11:5: policies[0]: want a string, got a mapping`,
		}},
		{"bad/two-documents.yaml", []error{ErrSyntax}, []string{
			`two-documents.yaml:3: a second YAML document; gitward.yaml holds exactly one`,
		}},
		{"bad/syntax.yaml", []error{ErrSyntax}, []string{
			`syntax.yaml:3: did not find expected '-' indicator`,
		}},
		{"bad/empty.yaml", []error{ErrSyntax}, []string{
			`empty.yaml: the file is empty; start it with apiVersion: gitward.dev/v1alpha1 and kind: Config`,
		}},
		{"bad/list.yaml", []error{ErrSyntax}, []string{
			`list.yaml:1:1: the file must be a YAML mapping (apiVersion, kind, environments, ...)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c, err := parseFile(t, tt.file)
			if err == nil {
				t.Fatalf("Parse = %+v, want an error", c)
			}
			for _, target := range tt.errs {
				if !errors.Is(err, target) {
					t.Errorf("error does not wrap %v:\n%v", target, err)
				}
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.File != filepath.Base(tt.file) {
				t.Errorf("error is not a *FieldError naming the file: %#v", err)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(lines), len(tt.want), err)
			}
			for i, want := range tt.want {
				if !strings.HasPrefix(lines[i], want) {
					t.Errorf("problem %d:\n got %s\nwant %s", i, lines[i], want)
				}
			}
		})
	}
}

func TestValidatePath(t *testing.T) {
	tests := []struct {
		path  string
		dotOK bool
		want  string // "" means valid
	}{
		{"overlays/prod", true, ""},
		{".", true, ""},
		{"a.b/c-d_e", false, ""},
		{"..", true, "leaves the repository"},
		{"a/../..", true, "leaves the repository"},
		{"a/..", true, `contains ".."; write it as "."`},
		{"", true, "missing"},
		{".", false, `"." is not allowed here`},
		{`overlays\prod`, true, "backslash"},
		{"C:/prod", true, "is absolute"},
		{"//server/share", true, "is absolute"},
		{"a//b", true, `is not clean; write it as "a/b"`},
		{"./a", true, `is not clean; write it as "a"`},
		{"a/", true, `is not clean; write it as "a"`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			l := &errorList{file: "f"}
			validatePath(l, "p", tt.path, tt.dotOK)
			switch {
			case tt.want == "" && len(l.errs) > 0:
				t.Fatalf("validatePath(%q) = %v", tt.path, l.errs)
			case tt.want != "" && (len(l.errs) != 1 || !strings.Contains(l.errs[0].Error(), tt.want)):
				t.Fatalf("validatePath(%q) = %v, want %q", tt.path, l.errs, tt.want)
			}
		})
	}
}

func TestCheckBranch(t *testing.T) {
	for b, ok := range map[string]bool{
		"main": true, "release/2026": true, "feature/x-1": true, "v1.2": true,
		"refs/heads/main": false, "-x": false, "a..b": false, "a b": false, "a~1": false,
		"a^": false, "a:b": false, "a.lock": false, "a/": false, "a//b": false, "a@{1}": false,
		"@": false, "a/.b": false, ".a": false, "a.": false, "a\tb": false,
	} {
		if got := checkBranch(b) == ""; got != ok {
			t.Errorf("checkBranch(%q) valid = %v, want %v", b, got, ok)
		}
	}
}
