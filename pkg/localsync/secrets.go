package localsync

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gitward/gitward/pkg/check/secretscan"
)

// ErrPlaintextSecret: the rendering holds a Secret whose values are readable
// by anyone who can read the repository (base64 is not encryption).
var ErrPlaintextSecret = errors.New("plaintext Secret")

// PlaintextSecrets returns an error naming each Secret of the plan that
// holds a real value in data or stringData (the detection of `git gitops
// check`'s plaintext-secret finding), or nil. ConfigMaps whose values look
// like credentials are check's business, not a reason to refuse a sync.
func (p *Plan) PlaintextSecrets() error {
	var found []string
	for _, o := range p.Objects {
		u := o.Object
		if u.GetKind() != "Secret" || u.GetAPIVersion() != "v1" {
			continue
		}
		for _, h := range secretscan.Hits(u) {
			where := ""
			if o.File != "" {
				where = " (" + o.File + ")"
			}
			found = append(found, fmt.Sprintf("Secret %s/%s%s: %s", u.GetNamespace(), u.GetName(), where, h.Reason))
		}
	}
	if len(found) == 0 {
		return nil
	}
	return fmt.Errorf("sync %s: %w in Git, refusing to apply it:\n  %s\n"+
		"seal each with `kubectl gitops seal` and commit the SealedSecret instead, or pass --allow-plaintext-secrets",
		p.Source, ErrPlaintextSecret, strings.Join(found, "\n  "))
}
