package check

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitward/gitward/pkg/check/secretscan"
)

// secretHit is one reason to think an object holds a plaintext secret.
type secretHit = secretscan.Hit

// secretHits inspects a Secret or a ConfigMap; other kinds yield nothing.
// The detection lives in secretscan so that sync, which must not import the
// policy engine, refuses the same objects check flags.
func secretHits(u *unstructured.Unstructured) []secretHit { return secretscan.Hits(u) }
