package config

import (
	"fmt"
	"path"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// validate checks the decoded document and records every problem in d.list.
func (d *document) validate() {
	l := d.list
	switch {
	case d.apiVersion == "":
		l.add("apiVersion", ErrUnsupported, "missing; want apiVersion: %s", APIVersion)
	case d.apiVersion != APIVersion:
		l.add("apiVersion", ErrUnsupported, "%q is not supported; want %s", d.apiVersion, APIVersion)
	}
	switch {
	case d.kind == "":
		l.add("kind", ErrUnsupported, "missing; want kind: %s", Kind)
	case d.kind != Kind:
		l.add("kind", ErrUnsupported, "%q is not supported; want %s", d.kind, Kind)
	}
	seen := map[string]string{}
	chartPaths := map[string]string{}
	for i, e := range d.environments {
		f := fmt.Sprintf("environments[%d]", i)
		validateName(l, f+".name", e.Name, "environment", seen)
		validatePath(l, f+".path", e.Path, true)
		if e.Chart != nil {
			validateChart(l, f, e, chartPaths)
		}
	}
	seen = map[string]string{}
	for i, s := range d.sources {
		f := fmt.Sprintf("sources[%d]", i)
		validateName(l, f+".name", s.Name, "source", seen)
		validatePath(l, f+".path", s.Path, true)
		if s.Repo != "" && strings.ContainsFunc(s.Repo, isSpaceOrControl) {
			l.add(f+".repo", ErrInvalidValue, "%q contains whitespace; want a repository URL, or omit it for this checkout's origin", s.Repo)
		}
		if s.Branch != "" {
			if msg := checkBranch(s.Branch); msg != "" {
				l.add(f+".branch", ErrInvalidValue, "%q %s", s.Branch, msg)
			}
		}
	}
	for i, p := range d.files {
		validatePath(l, fmt.Sprintf("promotion.files[%d]", i), p, false)
	}
	d.validatePromotionRules()
	for i, p := range d.policies {
		validatePath(l, fmt.Sprintf("policies[%d]", i), strings.TrimSuffix(p, "/"), false)
	}
}

// validateChart checks a chart environment; chartPaths maps the paths of
// chart environments met so far to their environment.
func validateChart(l *errorList, f string, e Environment, chartPaths map[string]string) {
	c := e.Chart
	validatePath(l, f+".chart.path", c.Path, true)
	for j, v := range c.Values {
		validatePath(l, fmt.Sprintf("%s.chart.values[%d]", f, j), v, false)
	}
	if c.Release != "" {
		if errs := validation.IsDNS1123Subdomain(c.Release); len(errs) > 0 || len(c.Release) > 53 {
			l.add(f+".chart.release", ErrInvalidName, "release name %q must be a DNS subdomain of at most 53 characters, as helm requires", c.Release)
		}
	}
	if c.Namespace != "" {
		if errs := validation.IsDNS1123Label(c.Namespace); len(errs) > 0 {
			l.add(f+".chart.namespace", ErrInvalidName, "namespace %q is not a DNS label: %s", c.Namespace, strings.Join(errs, "; "))
		}
	}
	if first, dup := chartPaths[e.Path]; dup && e.Path != "" {
		l.add(f+".path", ErrDuplicate, "path %q is also environment %q's; chart environments are found by path, "+
			"so give each its own (its values file, e.g. path: %s)", e.Path, first, e.Chart.defaultPath())
		return
	}
	chartPaths[e.Path] = e.Name
}

// validateName checks that name is a unique DNS label; seen maps the names
// met so far to their field.
func validateName(l *errorList, field, name, what string, seen map[string]string) {
	if name == "" {
		l.add(field, ErrInvalidValue, "missing; every %s needs a name", what)
		return
	}
	if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
		l.add(field, ErrInvalidName, "%s name %q is not a DNS label: %s", what, name, strings.Join(errs, "; "))
		return
	}
	if first, dup := seen[name]; dup {
		l.add(field, ErrDuplicate, "%s %q is defined twice (first at %s)", what, name, first)
		return
	}
	p := l.lookup(field)
	seen[name] = fmt.Sprintf("line %d", p.line)
}

// validatePath checks that p is relative, clean and inside the repository;
// "." is allowed only when dotOK.
func validatePath(l *errorList, field, p string, dotOK bool) {
	switch {
	case p == "":
		l.add(field, ErrInvalidValue, "missing; want a path relative to the repository root")
	case p == "." && dotOK:
	case p == ".":
		l.add(field, ErrInvalidPath, `"." is not allowed here; name a file or folder`)
	case strings.Contains(p, `\`):
		l.add(field, ErrInvalidPath, "%q contains a backslash; separate folders with /", p)
	case strings.HasPrefix(p, "/") || hasDriveLetter(p):
		l.add(field, ErrInvalidPath, "%q is absolute; use a path relative to the repository root", p)
	case path.Clean(p) == ".." || strings.HasPrefix(path.Clean(p), "../"):
		l.add(field, ErrInvalidPath, "%q leaves the repository; use a path inside it", p)
	case strings.Contains("/"+p+"/", "/../"):
		l.add(field, ErrInvalidPath, "%q contains \"..\"; write it as %q", p, path.Clean(p))
	case path.Clean(p) != p:
		l.add(field, ErrInvalidPath, "%q is not clean; write it as %q", p, path.Clean(p))
	}
}

// hasDriveLetter reports whether p starts like a Windows absolute path, "C:".
func hasDriveLetter(p string) bool {
	return len(p) >= 2 && p[1] == ':' && ('a' <= p[0] && p[0] <= 'z' || 'A' <= p[0] && p[0] <= 'Z')
}

// checkBranch returns why b is not a usable short branch name, or "".
func checkBranch(b string) string {
	switch {
	case strings.HasPrefix(b, "refs/"):
		return "is a ref; write the branch name without refs/heads/"
	case strings.HasPrefix(b, "-"), strings.HasPrefix(b, "/"), strings.HasSuffix(b, "/"),
		strings.HasSuffix(b, "."), strings.HasSuffix(b, ".lock"), b == "@",
		strings.Contains(b, ".."), strings.Contains(b, "//"), strings.Contains(b, "@{"),
		strings.ContainsAny(b, "~^:?*[\\"), strings.ContainsFunc(b, isSpaceOrControl):
		return "is not a valid branch name (see git check-ref-format)"
	}
	for _, part := range strings.Split(b, "/") {
		if strings.HasPrefix(part, ".") {
			return "is not a valid branch name (a component starts with \".\")"
		}
	}
	return ""
}

// isSpaceOrControl reports whether r is whitespace or a control character.
func isSpaceOrControl(r rune) bool { return r <= ' ' || r == 0x7f }
