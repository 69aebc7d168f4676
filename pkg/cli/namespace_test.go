package cli

import "testing"

func TestPodNamespace(t *testing.T) {
	tests := []struct {
		name string
		env  string
		want string
	}{
		{name: "set", env: "team-a", want: "team-a"},
		{name: "empty", env: "", want: "gitward-system"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("POD_NAMESPACE", tt.env)
			if got := PodNamespace("gitward-system"); got != tt.want {
				t.Errorf("PodNamespace = %q, want %q", got, tt.want)
			}
		})
	}
}
