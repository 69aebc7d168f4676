package history

import (
	"strings"

	"github.com/go-git/go-git/v5/plumbing/object"
)

// TrailerPromotedFrom is the trailer `git gitops promote` writes.
const TrailerPromotedFrom = "Promoted-From"

func entryOf(c *object.Commit, digest, previous string) Entry {
	subject, _, _ := strings.Cut(strings.TrimSpace(c.Message), "\n")
	return Entry{
		Commit:       c.Hash.String(),
		Author:       c.Author.Name,
		Email:        c.Author.Email,
		When:         c.Author.When,
		Subject:      subject,
		Digest:       digest,
		Previous:     previous,
		PromotedFrom: trailer(c.Message, TrailerPromotedFrom),
	}
}

// trailer returns the value of the last "key: value" line of the message's
// last paragraph, as git interpret-trailers reads it; "" when absent.
func trailer(msg, key string) string {
	paras := strings.Split(strings.TrimSpace(strings.ReplaceAll(msg, "\r\n", "\n")), "\n\n")
	if len(paras) < 2 {
		return ""
	}
	value := ""
	for _, line := range strings.Split(paras[len(paras)-1], "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), key) {
			value = strings.TrimSpace(v)
		}
	}
	return value
}
