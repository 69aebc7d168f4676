package provenance

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// DigestPrefix is the algorithm prefix of every digest.
const DigestPrefix = "sha256:"

// ErrUndigestable is returned (wrapped) when an object holds a value Digest
// cannot encode: NaN, an infinity, or a Go type JSON does not have.
var ErrUndigestable = errors.New("cannot digest value")

// ignoredMetadata are the metadata fields the API server sets; they are not
// content (see IsServerMetadata).
var ignoredMetadata = map[string]bool{
	"resourceVersion":            true,
	"uid":                        true,
	"generation":                 true,
	"creationTimestamp":          true,
	"managedFields":              true,
	"selfLink":                   true,
	"deletionTimestamp":          true,
	"deletionGracePeriodSeconds": true,
}

// IsServerMetadata reports whether metadata.<key> is set by the API server
// (resourceVersion, uid, managedFields, ...): never content, neither for
// the digest nor for admission.
func IsServerMetadata(key string) bool { return ignoredMetadata[key] }

// mapKind says which keys of a map Digest leaves out.
type mapKind int

const (
	plainMap       mapKind = iota
	rootMap                // the object: drop status
	metadataMap            // metadata: drop server-set fields
	labelsMap              // metadata.labels: drop the source label
	annotationsMap         // metadata.annotations: drop commit, digest, last-applied
)

// ignored reports whether Digest leaves key out of a map of this kind.
func (k mapKind) ignored(key string) bool {
	switch k {
	case rootMap:
		return key == "status"
	case metadataMap:
		return ignoredMetadata[key]
	case labelsMap:
		return key == LabelSource
	case annotationsMap:
		return key == AnnotationCommit || key == AnnotationDigest || key == LastAppliedAnnotation
	}
	return false
}

// child returns the kind of the map found under key in a map of this kind.
func (k mapKind) child(key string) mapKind {
	switch {
	case k == rootMap && key == "metadata":
		return metadataMap
	case k == metadataMap && key == "labels":
		return labelsMap
	case k == metadataMap && key == "annotations":
		return annotationsMap
	}
	return plainMap
}

// dropWhenEmpty reports whether a map of this kind is left out when nothing
// remains in it.
func (k mapKind) dropWhenEmpty() bool { return k == labelsMap || k == annotationsMap }

// Digest returns "sha256:<hex>" of the canonical encoding of obj, leaving out
// status, server-set metadata and the contract keys (see the package
// documentation for the exact rules). obj is not modified. The result is
// stable under key order, YAML vs JSON decoding and the Go type a number was
// decoded into, and Digest(r) == Digest(Stamp(r)).
func Digest(obj map[string]any) (string, error) {
	e := encoders.Get().(*encoder)
	defer encoders.Put(e)
	e.buf = e.buf[:0]
	if err := e.encodeMap(obj, rootMap, 0); err != nil {
		return "", err
	}
	sum := sha256.Sum256(e.buf)
	out := make([]byte, len(DigestPrefix)+hex.EncodedLen(len(sum)))
	hex.Encode(out[copy(out, DigestPrefix):], sum[:])
	return string(out), nil
}

// DigestUnstructured returns Digest(u.Object).
func DigestUnstructured(u *unstructured.Unstructured) (string, error) {
	if u == nil {
		return "", fmt.Errorf("%w: nil object", ErrUndigestable)
	}
	return Digest(u.Object)
}

// IsDigest reports whether s is spelled like a digest: "sha256:" followed by
// 64 lowercase hex digits.
func IsDigest(s string) bool {
	hexPart, ok := strings.CutPrefix(s, DigestPrefix)
	if !ok || len(hexPart) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(hexPart); i++ {
		if c := hexPart[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// encoders reuses encoding buffers and key slices between calls.
var encoders = sync.Pool{New: func() any { return new(encoder) }}

// encoder writes the canonical encoding into buf. keys holds one reusable
// key slice per map depth.
type encoder struct {
	buf  []byte
	keys [][]string
}

// sortedKeys returns the keys of m that a map of kind k keeps, sorted, in a
// slice owned by depth.
func (e *encoder) sortedKeys(m map[string]any, k mapKind, depth int) []string {
	for len(e.keys) <= depth {
		e.keys = append(e.keys, nil)
	}
	keys := e.keys[depth][:0]
	for key, v := range m {
		if v != nil && !k.ignored(key) {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	e.keys[depth] = keys
	return keys
}

// encodeMap writes m as a JSON object with sorted keys, leaving out null
// values and the keys kind k ignores.
func (e *encoder) encodeMap(m map[string]any, k mapKind, depth int) error {
	keys := e.sortedKeys(m, k, depth)
	e.buf = append(e.buf, '{')
	first := true
	for _, key := range keys {
		v := m[key]
		ck := k.child(key)
		if ck.dropWhenEmpty() && emptyAfterIgnoring(v, ck) {
			continue
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.buf = appendString(e.buf, key)
		e.buf = append(e.buf, ':')
		if err := e.encodeValue(v, ck, depth+1); err != nil {
			return prependPath(err, key)
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// emptyAfterIgnoring reports whether v is a map with nothing left in it once
// null values and the keys kind k ignores are left out.
func emptyAfterIgnoring(v any, k mapKind) bool {
	switch m := v.(type) {
	case map[string]any:
		for key, val := range m {
			if val != nil && !k.ignored(key) {
				return false
			}
		}
		return true
	case map[string]string:
		for key := range m {
			if !k.ignored(key) {
				return false
			}
		}
		return true
	}
	return false
}

// encodeValue writes one JSON value; k is the kind v has if it is a map.
func (e *encoder) encodeValue(v any, k mapKind, depth int) error {
	switch v := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case string:
		e.buf = appendString(e.buf, v)
	case bool:
		if v {
			e.buf = append(e.buf, "true"...)
		} else {
			e.buf = append(e.buf, "false"...)
		}
	case map[string]any:
		return e.encodeMap(v, k, depth)
	case map[string]string:
		m := make(map[string]any, len(v))
		for key, s := range v {
			m[key] = s
		}
		return e.encodeMap(m, k, depth)
	case []any:
		e.buf = append(e.buf, '[')
		for i, el := range v {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			if err := e.encodeValue(el, plainMap, depth+1); err != nil {
				return prependPath(err, fmt.Sprintf("[%d]", i))
			}
		}
		e.buf = append(e.buf, ']')
	case []string:
		e.buf = append(e.buf, '[')
		for i, s := range v {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.buf = appendString(e.buf, s)
		}
		e.buf = append(e.buf, ']')
	default:
		b, err := appendNumber(e.buf, v)
		if err != nil {
			return err
		}
		e.buf = b
	}
	return nil
}

// pathError is an ErrUndigestable error with the field path that led to it,
// built up while the encoder unwinds.
type pathError struct {
	path []string // innermost last once reversed; stored outermost-last
	msg  string
}

func (e *pathError) Error() string {
	var b strings.Builder
	for i := len(e.path) - 1; i >= 0; i-- {
		seg := e.path[i]
		if b.Len() > 0 && !strings.HasPrefix(seg, "[") {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return fmt.Sprintf("%v at %s: %s", ErrUndigestable, b.String(), e.msg)
}

func (e *pathError) Unwrap() error { return ErrUndigestable }

// prependPath adds the path segment seg to err, a *pathError.
func prependPath(err error, seg string) error {
	var pe *pathError
	if errors.As(err, &pe) {
		pe.path = append(pe.path, seg)
		return pe
	}
	return err
}
