package install

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gitward/gitward/pkg/config"
	"github.com/gitward/gitward/pkg/version"
)

// Defaults of Options.
const (
	DefaultNamespace = "gitward-system"
	DefaultImageRepo = "ghcr.io/gitward/gitward"
)

// What guards admission, Options.Admission.
const (
	// AdmissionWebhook installs gitward-webhook: every change to a managed
	// object is compared with what Git declares.
	AdmissionWebhook = "webhook"
	// AdmissionPolicy installs no webhook, only manifests/vap: a
	// ValidatingAdmissionPolicy that checks the presence and format of the
	// commit annotation. A weaker floor (docs/security.md).
	AdmissionPolicy = "policy"
	// AdmissionBoth installs both: the policy still holds when the webhook's
	// configuration is deleted to recover from an outage (docs/security.md).
	AdmissionBoth = "both"
)

// Sentinel errors of Options.
var (
	// ErrInvalidSource: a --source flag that is not NAME or NAME=REPO@BRANCH:PATH.
	ErrInvalidSource = errors.New("invalid source")
	// ErrNoSources: nothing to install for.
	ErrNoSources = errors.New("no sources")
)

// Options says what to install.
type Options struct {
	// Namespace of the webhook and the agent; default DefaultNamespace.
	Namespace string
	// Image of both programs (it holds gitward-webhook and gitward-agent);
	// default DefaultImage().
	Image string
	// Sources the webhook and the agent track. Each needs a repository URL.
	Sources []config.Source
	// CertManager uses cert-manager for the webhook's certificate instead
	// of the webhook's self-bootstrap.
	CertManager bool
	// WebhookMode is the webhook's --mode: enforce (default) or warn.
	WebhookMode string
	// Admission is AdmissionWebhook (default), AdmissionPolicy or
	// AdmissionBoth.
	Admission string
	// AllowLocalRepo accepts a source whose repository is a local path or a
	// file:// URL, which no Pod can clone from (tests that mount the
	// repository into the node do).
	AllowLocalRepo bool
	// APIServerCIDRs and GitCIDRs are the agent's only egress (with DNS) in
	// a NetworkPolicy; without them no agent NetworkPolicy is rendered.
	// Give both or neither.
	APIServerCIDRs, GitCIDRs []string
	// Git are the credentials both programs clone with; none for a public
	// repository.
	Git GitCredentials
	// PushWebhookSecret names a Secret (key "secret") with the shared secret
	// of the agent's push webhook; "" leaves the push webhook off.
	PushWebhookSecret string
}

// Kinds of GitCredentials.
const (
	GitToken = "token" // Secret key "token" (and "username" from --git-username)
	GitSSH   = "ssh"   // Secret keys "ssh-privatekey" and "known_hosts"
)

// GitCredentials name a Secret in the install namespace that both the agent
// and the webhook mount at GitMountPath.
type GitCredentials struct {
	// Secret is the Secret's name; "" means no credentials.
	Secret string
	// Kind is GitToken or GitSSH; default: GitSSH when every source's
	// repository is an SSH URL, else GitToken.
	Kind string
	// Username goes with the token (default: the programs' own) or SSH.
	Username string
}

// Where both programs find the Git credentials: the Secret's keys as files.
const (
	GitMountPath     = "/var/run/secrets/gitward/git"
	GitTokenKey      = "token"
	GitSSHKeyKey     = "ssh-privatekey" // the key of a kubernetes.io/ssh-auth Secret
	GitKnownHostsKey = "known_hosts"
)

// webhook reports whether the install includes gitward-webhook.
func (o *Options) webhook() bool { return o.Admission != AdmissionPolicy }

// policy reports whether the install includes the admission policy.
func (o *Options) policy() bool { return o.Admission != AdmissionWebhook }

// DefaultImage is the image of this build: the release's image by digest
// when the release was built with it (hack/release.sh), else
// DefaultImageRepo:<version> (see DefaultImageNote).
func DefaultImage() string {
	if d := version.ImageDigest(); d != "" {
		return DefaultImageRepo + "@" + d
	}
	return DefaultImageRepo + ":" + version.ImageTag(version.Get().Version)
}

// DefaultImageNote says why DefaultImage is a tag, or "" when it is a
// digest.
func DefaultImageNote() string {
	if version.ImageDigest() != "" {
		return ""
	}
	return "this kubectl-gitops was not built by a release, so it knows no image digest: the default image " +
		DefaultImage() + " is a tag that may not exist; build one with `make images` and load it (docs/install.md), or pass --image"
}

// Complete fills in defaults.
func (o *Options) Complete() {
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.Image == "" {
		o.Image = DefaultImage()
	}
	if o.WebhookMode == "" {
		o.WebhookMode = "enforce"
	}
	if o.Admission == "" {
		o.Admission = AdmissionWebhook
	}
	if o.Git.Secret != "" && o.Git.Kind == "" {
		o.Git.Kind = GitToken
		if len(o.Sources) > 0 && allSSH(o.Sources) {
			o.Git.Kind = GitSSH
		}
	}
}

// Validate checks the sources, the image and the mode.
func (o *Options) Validate() error {
	var errs []error
	if len(o.Sources) == 0 {
		errs = append(errs, fmt.Errorf("%w: name at least one with --source NAME=REPO@BRANCH:PATH, or run in a checkout whose gitward.yaml names sources", ErrNoSources))
	}
	for _, s := range o.Sources {
		if s.Repo == "" {
			errs = append(errs, fmt.Errorf("%w %q: no repository URL: set repo in gitward.yaml, give the checkout an origin remote, or use --source %s=REPO@BRANCH:PATH",
				ErrInvalidSource, s.Name, s.Name))
		}
	}
	if !o.AllowLocalRepo {
		for _, s := range o.Sources {
			if err := checkReachable(s); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if _, _, err := splitImage(o.Image); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, validateCIDRs(o.APIServerCIDRs, o.GitCIDRs)...)
	switch o.Git.Kind {
	case "", GitToken, GitSSH:
	default:
		errs = append(errs, fmt.Errorf("--git-credentials-type %q: want %s (Secret key %s) or %s (keys %s and %s)",
			o.Git.Kind, GitToken, GitTokenKey, GitSSH, GitSSHKeyKey, GitKnownHostsKey))
	}
	if o.Git.Kind != "" && o.Git.Secret == "" {
		errs = append(errs, errors.New("--git-credentials-type without --git-credentials-secret: name the Secret that holds them"))
	}
	if o.WebhookMode != "enforce" && o.WebhookMode != "warn" {
		errs = append(errs, fmt.Errorf("--webhook-mode %q: want enforce (deny what Git does not say) or warn (admit with warnings)", o.WebhookMode))
	}
	switch o.Admission {
	case AdmissionWebhook, AdmissionBoth:
	case AdmissionPolicy:
		if o.CertManager {
			errs = append(errs, fmt.Errorf("--admission %s installs no webhook, so cert-manager has no certificate to issue: leave out --cert-manager, or use --admission %s or --admission %s",
				o.Admission, AdmissionWebhook, AdmissionBoth))
		}
	default:
		errs = append(errs, fmt.Errorf("--admission %q: want %s (content checked against Git), %s (only the commit annotation, no webhook) or %s", o.Admission, AdmissionWebhook, AdmissionPolicy, AdmissionBoth))
	}
	return errors.Join(errs...)
}

// ParseSource reads NAME=REPO@BRANCH:PATH. REPO may itself hold "@" and
// ":" (git@host:org/repo.git), so BRANCH is after the last "@" and PATH
// after the last ":" that follows it.
func ParseSource(s string) (config.Source, error) {
	name, rest, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return config.Source{}, fmt.Errorf("%w %q: want NAME=REPO@BRANCH:PATH", ErrInvalidSource, s)
	}
	at := strings.LastIndex(rest, "@")
	if at <= 0 {
		return config.Source{}, fmt.Errorf("%w %q: no @BRANCH; want NAME=REPO@BRANCH:PATH", ErrInvalidSource, s)
	}
	repo, branchPath := rest[:at], rest[at+1:]
	branch, p, ok := strings.Cut(branchPath, ":")
	if !ok || branch == "" || p == "" {
		return config.Source{}, fmt.Errorf("%w %q: want NAME=REPO@BRANCH:PATH, e.g. prod=https://git.example.com/org/manifests.git@main:overlays/prod", ErrInvalidSource, s)
	}
	return config.Source{Name: name, Repo: repo, Branch: branch, Path: p}, nil
}

// splitImage splits an image into the name and the tag or digest part that
// kustomize's images transformer takes.
func splitImage(image string) (name, tagOrDigest string, err error) {
	if i := strings.Index(image, "@"); i > 0 {
		return image[:i], image[i:], nil
	}
	slash := strings.LastIndex(image, "/")
	if i := strings.LastIndex(image, ":"); i > slash && i < len(image)-1 {
		return image[:i], image[i+1:], nil
	}
	return "", "", fmt.Errorf("image %q: want REPOSITORY:TAG or REPOSITORY@sha256:DIGEST", image)
}
