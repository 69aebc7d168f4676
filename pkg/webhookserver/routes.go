package webhookserver

import (
	"context"
	"net/http"

	"github.com/gitward/gitward/pkg/admitscope"
)

// ValidatePath is the path every webhook used to share. It is still served,
// for configurations written before each webhook had its own path; requests
// on it carry no webhook name.
const ValidatePath = admitscope.ValidatePath

// WebhookNames are the short names of the webhooks pkg/admitscope defines;
// each is served on WebhookPath(name).
func WebhookNames() []string {
	var names []string
	for _, w := range admitscope.Webhooks() {
		names = append(names, w.ShortName)
	}
	return names
}

// WebhookPath is where the webhook with short name name is served:
// "/validate/<name>".
func WebhookPath(name string) string { return admitscope.WebhookPath(name) }

// Routes serves h on ValidatePath and on the path of each webhook. A
// request's context carries the name of the webhook whose path it came on
// (see WebhookFrom) and its caller as the TLS layer established it (see
// CallerFrom; authenticated only when authenticated is true, that is, when
// the server verified client certificates).
func Routes(h http.Handler, authenticated bool) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle(ValidatePath, withRequestContext(h, "", authenticated))
	for _, name := range WebhookNames() {
		mux.Handle(WebhookPath(name), withRequestContext(h, name, authenticated))
	}
	return mux
}

// withRequestContext adds the webhook name and the caller to a request's
// context.
func withRequestContext(h http.Handler, webhook string, authenticated bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := Caller{}
		if authenticated && r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			// The handshake verified the chain and the name (clientAuth).
			c = Caller{Authenticated: true, Name: certName(r.TLS.PeerCertificates[0])}
		}
		ctx := context.WithValue(r.Context(), webhookKey{}, webhook)
		h.ServeHTTP(w, r.WithContext(withCaller(ctx, c)))
	})
}

// Caller is who sent an admission review.
type Caller struct {
	// Authenticated is true when the caller presented a client certificate
	// that the server verified against --client-ca-file, with an allowed
	// name. Without a client CA no caller is authenticated.
	Authenticated bool
	// Name is the certificate's common name (or first DNS name).
	Name string
}

type (
	webhookKey struct{}
	callerKey  struct{}
)

// WebhookFrom returns the short name of the webhook a request came for
// ("" on ValidatePath).
func WebhookFrom(ctx context.Context) string {
	s, _ := ctx.Value(webhookKey{}).(string)
	return s
}

// CallerFrom returns the caller of a request (unauthenticated when unknown).
func CallerFrom(ctx context.Context) Caller {
	c, _ := ctx.Value(callerKey{}).(Caller)
	return c
}

func withCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}
