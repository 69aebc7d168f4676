package agent

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		n    int
		want time.Duration
	}{
		{1, 2 * time.Second}, {2, 4 * time.Second}, {3, 8 * time.Second},
		{7, 128 * time.Second}, {8, 256 * time.Second}, {9, 5 * time.Minute}, {100, 5 * time.Minute},
	}
	for _, tt := range tests {
		if got := backoff(tt.n, 2*time.Second, 5*time.Minute); got != tt.want {
			t.Errorf("backoff(%d) = %s, want %s", tt.n, got, tt.want)
		}
	}
}
