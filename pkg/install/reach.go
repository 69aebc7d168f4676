package install

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/gitward/gitward/pkg/config"
)

// ErrLocalRepo: a source's repository is a path on this machine, which the
// agent and the webhook, running in Pods, cannot clone.
var ErrLocalRepo = errors.New("repository the cluster cannot reach")

// scpLike matches git's user@host:path form (not a Windows drive letter).
var scpLike = regexp.MustCompile(`^([A-Za-z0-9._~-]+@)?[A-Za-z0-9.-]{2,}:[^/]`)

// checkReachable refuses a local path or file:// URL as a repository.
func checkReachable(s config.Source) error {
	r := s.Repo
	switch {
	case r == "":
		return nil // reported as "no repository URL"
	case strings.HasPrefix(r, "file://"), filepath.IsAbs(r), strings.HasPrefix(r, "."), strings.HasPrefix(r, "~"),
		!strings.Contains(r, "://") && !scpLike.MatchString(r):
		return fmt.Errorf("%w: source %q has repository %q, a path on this machine that the agent and the webhook, running in Pods, cannot clone: "+
			"push it to a Git server the cluster reaches and give its URL with --source %s=URL@%s:%s (or set repo in gitward.yaml), "+
			"or pass --allow-local-repo if the path exists inside the cluster's nodes",
			ErrLocalRepo, s.Name, r, s.Name, s.Branch, s.Path)
	}
	return nil
}

// isSSH reports whether a repository URL is cloned over SSH.
func isSSH(repo string) bool {
	return strings.HasPrefix(repo, "ssh://") || !strings.Contains(repo, "://") && scpLike.MatchString(repo)
}

func allSSH(sources []config.Source) bool {
	for _, s := range sources {
		if !isSSH(s.Repo) {
			return false
		}
	}
	return true
}

// validateCIDRs checks --api-server-cidr and --git-cidr: both or neither,
// each a CIDR.
func validateCIDRs(apiServer, git []string) []error {
	var errs []error
	for flag, list := range map[string][]string{"--api-server-cidr": apiServer, "--git-cidr": git} {
		for _, c := range list {
			if _, _, err := net.ParseCIDR(c); err != nil {
				errs = append(errs, fmt.Errorf("%s %q: not a CIDR (e.g. 10.96.0.1/32, 140.82.112.0/20): %w", flag, c, err))
			}
		}
	}
	if (len(apiServer) == 0) != (len(git) == 0) {
		errs = append(errs, errors.New("--api-server-cidr and --git-cidr go together: the agent's NetworkPolicy allows egress only to both (and DNS); "+
			"give both, or neither for no NetworkPolicy (kubectl get endpoints kubernetes shows the API server's addresses)"))
	}
	return errs
}
