package render

import (
	"regexp"
	"strings"
)

// scpUser matches the user@ prefix of scp-like git addresses
// (git@github.com:org/repo), as kustomize's repo spec parser does.
var scpUser = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*@`)

// isRemote reports whether a kustomization reference would make kustomize
// go to the network: an HTTP(S) file, or anything its git repo-spec parser
// may take for a repository (scheme://, git::, user@host:, github.com/...).
// It errs on the side of "remote": a local folder literally named like a
// URL is refused rather than risking a fetch or a `git` exec.
func isRemote(ref string) bool {
	l := strings.ToLower(strings.TrimSpace(ref))
	if strings.Contains(l, "://") {
		return true
	}
	for _, p := range []string{"git::", "github.com/", "github.com:", "gh:"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	if scpUser.MatchString(l) {
		return true
	}
	if _, q, ok := strings.Cut(l, "?"); ok {
		for _, k := range []string{"ref=", "version=", "submodules=", "timeout="} {
			if strings.HasPrefix(q, k) || strings.Contains(q, "&"+k) {
				return true
			}
		}
	}
	return false
}
