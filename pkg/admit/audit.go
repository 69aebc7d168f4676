package admit

import "github.com/gitward/gitward/pkg/provenance"

// shownCommit is the commit a message names: the request's, else the head
// consulted, else the live object's.
func (r *review) shownCommit() provenance.CommitID {
	switch {
	case r.commit != "":
		return r.commit
	case r.head != "":
		return r.head
	}
	return r.liveCommit
}

// audit returns the audit annotations of an in-scope decision.
func (r *review) audit(d Decision) map[string]string {
	a := map[string]string{
		"decision": string(d.Action),
		"reason":   string(d.Reason),
		"source":   r.info.Name,
	}
	if d.Commit != "" {
		a["commit"] = string(d.Commit)
	}
	if !d.Allowed || d.Action != ActionAllowed {
		a["message"] = truncate(d.Message, 1024)
	}
	return a
}

// truncate cuts s to at most n bytes.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
