package apply

import "testing"

func TestFieldSetOwns(t *testing.T) {
	fs := fieldSetOf(deployment())
	tests := []struct {
		name string
		raw  string
		want bool
	}{
		{"controller annotation", `{"f:metadata":{"f:annotations":{"f:deployment.kubernetes.io/revision":{}}}}`, false},
		{"declared scalar", `{"f:spec":{"f:replicas":{}}}`, true},
		{"field beside declared ones", `{"f:spec":{"f:paused":{}}}`, false},
		{"element of a declared list", `{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{"f:image":{}}}}}}}`, true},
		{"a declared map itself", `{"f:spec":{"f:template":{".":{}}}}`, true},
		{"status", `{"f:status":{"f:replicas":{}}}`, false},
		{"unreadable", `{`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fs.owns([]byte(tt.raw)); got != tt.want {
				t.Errorf("owns = %v, want %v", got, tt.want)
			}
		})
	}
}
