package localsync

import (
	"errors"
	"strings"
	"testing"
)

func TestPlaintextSecrets(t *testing.T) {
	tests := []struct {
		name   string
		secret string
		want   bool
	}{
		{"real value", "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: s3cr3t-Value-42}\n", true},
		{"placeholder only", "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: changeme}\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRepo(t)
			r.WriteFile("app/s.yaml", tt.secret).
				WriteFile("app/kustomization.yaml", "namespace: shop\nresources: [a.yaml, b.yaml, s.yaml]\n")
			r.Commit("a secret")
			t.Chdir(r.Dir)
			p, err := Prepare(t.Context(), Options{Source: "shop"})
			if err != nil {
				t.Fatal(err)
			}
			err = p.PlaintextSecrets()
			if got := errors.Is(err, ErrPlaintextSecret); got != tt.want {
				t.Fatalf("PlaintextSecrets() = %v, want refusal %v", err, tt.want)
			}
			if tt.want {
				for _, part := range []string{"Secret shop/db", "app/s.yaml", "kubectl gitops seal", "--allow-plaintext-secrets"} {
					if !strings.Contains(err.Error(), part) {
						t.Errorf("error does not name %q:\n%v", part, err)
					}
				}
				if strings.Contains(err.Error(), "s3cr3t") {
					t.Errorf("error shows the value:\n%v", err)
				}
			}
		})
	}
}
