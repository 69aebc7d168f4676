package seal_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gitward/gitward/pkg/seal"
)

// plaintext is a value that must never show up in an error.
const plaintext = "hunter2-TOPSECRET"

func TestReadSecrets(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		wantNames []string
		wantErr   error
		wantIn    string
	}{
		{
			name:      "YAML",
			in:        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\ndata:\n  password: aHVudGVyMg==\n",
			wantNames: []string{"db"},
		},
		{
			name:      "YAML documents and empty documents",
			in:        "---\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: a}\nstringData: {k: v}\n---\n# comment\n---\nkind: Secret\nmetadata: {name: b}\n",
			wantNames: []string{"a", "b"},
		},
		{
			name:      "JSON",
			in:        `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"stringData":{"k":"v"}}`,
			wantNames: []string{"db"},
		},
		{
			name:      "JSON stream",
			in:        `{"kind":"Secret","metadata":{"name":"a"}} {"kind":"Secret","metadata":{"name":"b"}}`,
			wantNames: []string{"a", "b"},
		},
		{name: "empty", in: "", wantErr: seal.ErrNoSecrets},
		{name: "only separators", in: "---\n---\n", wantErr: seal.ErrNoSecrets},
		{
			name:    "ConfigMap",
			in:      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
			wantErr: seal.ErrNotSecret, wantIn: `stdin: document 1: not a v1 Secret: found apiVersion "v1" kind "ConfigMap"`,
		},
		{name: "SealedSecret", in: "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\n", wantErr: seal.ErrNotSecret},
		{name: "bad YAML quoting a value", in: "kind: Secret\nstringData:\n  password: " + plaintext + "\n bad: [\n", wantIn: "stdin: document 1: not valid YAML or JSON"},
		{name: "bad JSON", in: `{"kind":"Secret","stringData":{"password":"` + plaintext + `"}`, wantIn: "stdin: document 1"},
		{name: "data not base64", in: "kind: Secret\ndata:\n  password: " + plaintext + "\n", wantIn: "not valid base64"},
		{name: "number where bytes belong", in: "kind: Secret\ndata:\n  pin: 987654321\n", wantIn: `found a JSON number`},
		{name: "YAML type error", in: "kind: Secret\nstringData: " + plaintext + "\n", wantIn: "document 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := seal.ReadSecrets(strings.NewReader(tt.in), "stdin")
			if tt.wantErr == nil && tt.wantIn == "" {
				if err != nil {
					t.Fatalf("ReadSecrets: %v", err)
				}
				var names []string
				for _, s := range got {
					names = append(names, s.Name)
				}
				if strings.Join(names, ",") != strings.Join(tt.wantNames, ",") {
					t.Fatalf("ReadSecrets names %v, want %v", names, tt.wantNames)
				}
				return
			}
			if err == nil {
				t.Fatalf("ReadSecrets: no error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q does not wrap %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error %q does not contain %q", err, tt.wantIn)
			}
			for _, leak := range []string{plaintext, "987654321"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("error %q quotes the plaintext %q", err, leak)
				}
			}
		})
	}
}
