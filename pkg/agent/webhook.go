package agent

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
)

// maxWebhookBody bounds the body a push webhook may send.
const maxWebhookBody = 1 << 20

// Triggerer is what the webhook triggers; *Syncer implements it.
type Triggerer interface{ Trigger(Trigger) }

var _ Triggerer = (*Syncer)(nil)

// WebhookHandler returns the push-webhook endpoint: a POST authenticated
// with the shared secret triggers a fetch on every target. It accepts the
// secret as "Authorization: Bearer <secret>", as GitLab's X-Gitlab-Token, or
// as GitHub's and Gitea's X-Hub-Signature-256 HMAC of the body. Anything
// else is answered 401 (405 for a method other than POST) and triggers
// nothing. An empty secret refuses every request.
func WebhookHandler(secret []byte, targets ...Triggerer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "use POST", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1))
		if err != nil || len(body) > maxWebhookBody {
			http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		if len(secret) == 0 || !authenticated(r, body, secret) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		for _, t := range targets {
			t.Trigger(TriggerWebhook)
		}
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, "fetch triggered\n")
	})
}

func authenticated(r *http.Request, body, secret []byte) bool {
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return subtle.ConstantTimeCompare([]byte(tok), secret) == 1
	}
	if tok := r.Header.Get("X-Gitlab-Token"); tok != "" {
		return subtle.ConstantTimeCompare([]byte(tok), secret) == 1
	}
	if sig, ok := strings.CutPrefix(r.Header.Get("X-Hub-Signature-256"), "sha256="); ok {
		got, err := hex.DecodeString(sig)
		if err != nil {
			return false
		}
		mac := hmac.New(sha256.New, secret)
		mac.Write(body)
		return hmac.Equal(got, mac.Sum(nil))
	}
	return false
}
