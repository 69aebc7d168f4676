package version

import "testing"

func TestImageTag(t *testing.T) {
	for in, want := range map[string]string{"v1.2.3": "v1.2.3", "v0.0.0-dev+g1234": "v0.0.0-dev-g1234", "dev": "dev"} {
		if got := ImageTag(in); got != want {
			t.Errorf("ImageTag(%q) = %q, want %q", in, got, want)
		}
	}
	if ImageDigest() != "" {
		t.Errorf("a test build has no image digest, got %q", ImageDigest())
	}
}
