package check

import (
	"encoding/base64"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func configMap(data map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "cm", "namespace": "ns"},
		"data":     data,
	}}
}

func secret(field string, data map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": "s", "namespace": "ns"},
	}}
	if data != nil {
		u.Object[field] = data
	}
	return u
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestSecretHits(t *testing.T) {
	const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----\n"
	tests := []struct {
		name string
		obj  *unstructured.Unstructured
		want string // substring of the reason; "" means no hit
	}{
		{"secret with data", secret("data", map[string]any{"password": b64("s3cr3t-Pa55")}), "data.password"},
		{"secret with stringData", secret("stringData", map[string]any{"token": "abcdef123456"}), "stringData.token"},
		{"secret without data", secret("data", nil), ""},
		{"secret with empty values", secret("data", map[string]any{"password": ""}), ""},
		{"secret with placeholders", secret("stringData", map[string]any{"password": "changeme", "token": "${TOKEN}"}), ""},
		{"aws access key", configMap(map[string]any{"env": "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"}), "AWS access key"},
		{"aws secret key", configMap(map[string]any{"creds": "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}), "AWS secret access key"},
		{"pem private key", configMap(map[string]any{"tls.key": pem}), "PEM private key"},
		{"public certificate", configMap(map[string]any{"ca.crt": "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n"}), ""},
		{"password key", configMap(map[string]any{"DB_PASSWORD": "hunter2hunter2"}), "names a credential"},
		{"camelCase secret key", configMap(map[string]any{"jwtSecret": "q9w8e7r6t5y4"}), "names a credential"},
		{"password placeholder", configMap(map[string]any{"DB_PASSWORD": "<set-in-vault>"}), ""},
		{"password env reference", configMap(map[string]any{"DB_PASSWORD": "$DB_PASSWORD"}), ""},
		{"password file path", configMap(map[string]any{"password_file": "/etc/secrets/db"}), ""},
		{"token url", configMap(map[string]any{"token_url": "https://auth.example.com/token"}), ""},
		{"token ttl", configMap(map[string]any{"TOKEN_TTL": "3600"}), ""},
		{"tokenizer is not a token", configMap(map[string]any{"tokenizer": "whitespace"}), ""},
		{"password policy", configMap(map[string]any{"password.policy": "strong"}), ""},
		{"properties file", configMap(map[string]any{"application.properties": "server.port=8080\nspring.datasource.password=hunter2hunter2\n"}), "spring.datasource.password"},
		{"properties file placeholder", configMap(map[string]any{"application.properties": "spring.datasource.password=${DB_PASSWORD}\n"}), ""},
		{"yaml file", configMap(map[string]any{"config.yaml": "db:\n  host: db\n  password: \"p4ssw0rd!x\"\n"}), "password"},
		{"url with password", configMap(map[string]any{"DATABASE_URL": "postgres://app:pa55word@db:5432/app"}), "URL with a password"},
		{"url without password", configMap(map[string]any{"DATABASE_URL": "postgres://db:5432/app"}), ""},
		{"github token", configMap(map[string]any{"notes": "ghp_" + strings.Repeat("a", 36)}), "well-known format"},
		{"plain settings", configMap(map[string]any{"LOG_LEVEL": "info", "replicas": "3"}), ""},
		{"not a secret kind", &unstructured.Unstructured{Object: map[string]any{"apiVersion": "apps/v1", "kind": "Deployment"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := secretHits(tt.obj)
			if tt.want == "" {
				if len(hits) != 0 {
					t.Fatalf("unexpected hits: %+v", hits)
				}
				return
			}
			if len(hits) == 0 {
				t.Fatalf("no hit, want one mentioning %q", tt.want)
			}
			if !strings.Contains(hits[0].Reason, tt.want) {
				t.Errorf("reason %q does not mention %q", hits[0].Reason, tt.want)
			}
			for _, h := range hits {
				for _, v := range []string{"s3cr3t-Pa55", "hunter2hunter2", "pa55word", "q9w8e7r6t5y4", "p4ssw0rd"} {
					if strings.Contains(h.Reason, v) {
						t.Errorf("reason %q leaks the value", h.Reason)
					}
				}
			}
		})
	}
}

// TestCheckSecretsMessage: a ConfigMap finding names the data key once.
func TestCheckSecretsMessage(t *testing.T) {
	cm := configMap(map[string]any{"DB_PASSWORD": "hunter2hunter2"})
	er := &EnvironmentReport{Name: "prod"}
	checkSecrets(er, []*unstructured.Unstructured{cm})
	if len(er.Findings) != 1 {
		t.Fatalf("findings = %+v", er.Findings)
	}
	f := er.Findings[0]
	if f.Key != "DB_PASSWORD" || strings.Count(f.Message, "DB_PASSWORD") != 1 ||
		!strings.Contains(f.Message, `data key "DB_PASSWORD" names a credential`) {
		t.Errorf("finding key %q, message %q", f.Key, f.Message)
	}
}
