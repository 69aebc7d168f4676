package provenance

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidCommit is returned (wrapped) for a string that is not a full,
// lowercase commit id.
var ErrInvalidCommit = errors.New("invalid commit id")

// Lengths of a full commit id in hex digits.
const (
	SHA1Len   = 40 // SHA-1 repositories
	SHA256Len = 64 // SHA-256 repositories
)

// CommitID is a full commit id: 40 or 64 lowercase hex digits. Obtain one from
// ParseCommit; the zero value is not a valid id.
type CommitID string

// ParseCommit returns s as a CommitID if it is exactly 40 or 64 lowercase
// hex digits, and nothing else: no short ids, refs or whitespace. Uppercase
// digits are rejected with a hint naming the lowercase spelling. The error
// wraps ErrInvalidCommit and quotes the value (truncated when long).
func ParseCommit(s string) (CommitID, error) {
	if len(s) != SHA1Len && len(s) != SHA256Len {
		return "", commitError(s, fmt.Sprintf("it has %d characters", len(s)))
	}
	upper := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			upper = true
		default:
			return "", commitError(s, fmt.Sprintf("character %d is %q, not a hex digit", i+1, rune(c)))
		}
	}
	if upper {
		return "", commitError(s, fmt.Sprintf("it has uppercase digits; write it as %q", strings.ToLower(s)))
	}
	return CommitID(s), nil
}

// commitError builds the error for an invalid commit id.
func commitError(s, why string) error {
	return fmt.Errorf("%w %s: want a full commit id of %d (SHA-1) or %d (SHA-256) lowercase hex digits, and %s",
		ErrInvalidCommit, quoteTrunc(s, 80), SHA1Len, SHA256Len, why)
}

// quoteTrunc quotes s, keeping at most max bytes of it.
func quoteTrunc(s string, max int) string {
	if len(s) <= max {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q… (%d bytes)", s[:max], len(s))
}

// String returns the commit id.
func (c CommitID) String() string { return string(c) }

// Short returns the first 7 digits of the commit id, as git abbreviates it
// for people; the whole value if it is shorter.
func (c CommitID) Short() string {
	if len(c) < 7 {
		return string(c)
	}
	return string(c[:7])
}
