package agent

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type countTrigger struct{ n int }

func (c *countTrigger) Trigger(Trigger) { c.n++ }

func TestWebhookHandler(t *testing.T) {
	secret := []byte("s3cret")
	body := `{"ref":"refs/heads/main"}`
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(body))
	goodSig := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	tests := []struct {
		name    string
		method  string
		headers map[string]string
		want    int
	}{
		{"bearer", http.MethodPost, map[string]string{"Authorization": "Bearer s3cret"}, http.StatusAccepted},
		{"gitlab token", http.MethodPost, map[string]string{"X-Gitlab-Token": "s3cret"}, http.StatusAccepted},
		{"github hmac", http.MethodPost, map[string]string{"X-Hub-Signature-256": goodSig}, http.StatusAccepted},
		{"wrong bearer", http.MethodPost, map[string]string{"Authorization": "Bearer nope"}, http.StatusUnauthorized},
		{"bad hmac", http.MethodPost, map[string]string{"X-Hub-Signature-256": "sha256=00"}, http.StatusUnauthorized},
		{"no credentials", http.MethodPost, nil, http.StatusUnauthorized},
		{"GET", http.MethodGet, map[string]string{"Authorization": "Bearer s3cret"}, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &countTrigger{}
			req := httptest.NewRequest(tt.method, "/hooks/git", strings.NewReader(body))
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			WebhookHandler(secret, c).ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("status = %d, want %d", rec.Code, tt.want)
			}
			if wantN := map[bool]int{true: 1, false: 0}[tt.want == http.StatusAccepted]; c.n != wantN {
				t.Errorf("triggers = %d, want %d", c.n, wantN)
			}
		})
	}
	t.Run("empty secret refuses", func(t *testing.T) {
		c := &countTrigger{}
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer ")
		rec := httptest.NewRecorder()
		WebhookHandler(nil, c).ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized || c.n != 0 {
			t.Errorf("status %d triggers %d", rec.Code, c.n)
		}
	})
}
