package chartfetch

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// Ref names a chart in a repository.
type Ref struct {
	// Repo is an HTTP(S) Helm repository URL (the folder holding
	// index.yaml), or an OCI repository: oci://registry/path.
	Repo string
	// Chart is the chart's name. For an OCI Repo, the chart lives at
	// Repo/Chart; leave Chart empty when Repo names the chart's own OCI
	// repository (Flux OCIRepository.spec.url).
	Chart string
	// Version is an exact version, a semver constraint (">=1.0.0", "1.x",
	// "~6.5"), or "" for the latest version that is not a pre-release. For
	// OCI it may also be a manifest digest (sha256:…).
	Version string
}

// String names the chart as a person would: repo/chart@version.
func (r Ref) String() string {
	s := strings.TrimSuffix(r.Repo, "/")
	if r.Chart != "" {
		s += "/" + r.Chart
	}
	if r.Version != "" {
		s += "@" + r.Version
	}
	return s
}

// IsOCI reports whether the chart is in an OCI registry.
func (r Ref) IsOCI() bool { return strings.HasPrefix(r.Repo, "oci://") }

// validate checks the fields a fetch needs.
func (r Ref) validate() error {
	if r.Repo == "" {
		return fmt.Errorf("chart %q: no repository URL", r.Chart)
	}
	if r.IsOCI() {
		if strings.TrimPrefix(r.Repo, "oci://") == "" {
			return fmt.Errorf("chart %s: empty OCI repository", r)
		}
		return nil
	}
	u, err := url.Parse(r.Repo)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("chart %s: repository %q is neither an http(s):// Helm repository nor oci://", r, r.Repo)
	}
	if r.Chart == "" {
		return fmt.Errorf("chart %s: an HTTP repository needs a chart name", r)
	}
	return nil
}

// exactVersion reports whether v names one version rather than a range.
func exactVersion(v string) bool {
	if v == "" || strings.ContainsAny(v, "<>=~^*|, xX") {
		return false
	}
	_, err := semver.NewVersion(v)
	return err == nil
}

// pick returns the highest version in versions that satisfies constraint
// ("" means the latest that is not a pre-release, as `helm install` picks),
// and whether there was one. Versions that do not parse are ignored.
func pick(versions []string, constraint string) (string, bool, error) {
	if exactVersion(constraint) {
		want, _ := semver.NewVersion(constraint)
		for _, v := range versions {
			if got, err := semver.NewVersion(v); err == nil && got.Equal(want) {
				return v, true, nil
			}
		}
		return "", false, nil
	}
	c := constraint
	if c == "" {
		c = "*"
	}
	cons, err := semver.NewConstraint(c)
	if err != nil {
		return "", false, fmt.Errorf("version %q is neither a version nor a semver range: %w", constraint, err)
	}
	var best *semver.Version
	bestRaw := ""
	for _, v := range versions {
		sv, err := semver.NewVersion(v)
		if err != nil || !cons.Check(sv) {
			continue
		}
		if best == nil || sv.GreaterThan(best) {
			best, bestRaw = sv, v
		}
	}
	return bestRaw, best != nil, nil
}
