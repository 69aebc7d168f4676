package provenance

import (
	"errors"
	"strings"
	"testing"
)

const (
	sha1Commit   = "0123456789abcdef0123456789abcdef01234567"
	sha256Commit = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

func TestParseCommit(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    CommitID
		wantErr []string // substrings of the error; nil means no error
	}{
		{name: "sha1", in: sha1Commit, want: sha1Commit},
		{name: "sha256", in: sha256Commit, want: sha256Commit},
		{name: "empty", in: "", wantErr: []string{`""`, "40 (SHA-1) or 64 (SHA-256)", "has 0 characters"}},
		{name: "short id", in: "0123456", wantErr: []string{`"0123456"`, "has 7 characters"}},
		{name: "41 digits", in: sha1Commit + "0", wantErr: []string{"has 41 characters"}},
		{name: "63 digits", in: sha256Commit[:63], wantErr: []string{"has 63 characters"}},
		{name: "ref", in: "refs/heads/main", wantErr: []string{`"refs/heads/main"`}},
		{name: "trailing newline", in: sha1Commit[:39] + "\n", wantErr: []string{`\n`, "character 40"}},
		{name: "leading space", in: " " + sha1Commit[1:], wantErr: []string{"character 1 is ' '"}},
		{name: "non hex", in: strings.Repeat("g", 40), wantErr: []string{"character 1 is 'g', not a hex digit"}},
		{name: "uppercase", in: strings.ToUpper(sha1Commit), wantErr: []string{"uppercase", `write it as "` + sha1Commit + `"`}},
		{name: "huge value is truncated", in: strings.Repeat("x", 10000), wantErr: []string{"(10000 bytes)", "has 10000 characters"}},
		{name: "multibyte", in: strings.Repeat("é", 20), wantErr: []string{"not a hex digit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCommit(tt.in)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("ParseCommit(%q) error: %v", tt.in, err)
				}
				if got != tt.want {
					t.Fatalf("ParseCommit(%q) = %q, want %q", tt.in, got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseCommit(%q) = %q, want an error", tt.in, got)
			}
			if !errors.Is(err, ErrInvalidCommit) {
				t.Errorf("error %v does not wrap ErrInvalidCommit", err)
			}
			if got != "" {
				t.Errorf("ParseCommit returned %q with an error", got)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if len(err.Error()) > 400 {
				t.Errorf("error is %d bytes long; the value should be truncated", len(err.Error()))
			}
		})
	}
}

func TestCommitIDShort(t *testing.T) {
	tests := []struct {
		in   CommitID
		want string
	}{
		{sha1Commit, "0123456"},
		{sha256Commit, "0123456"},
		{"abc", "abc"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := tt.in.Short(); got != tt.want {
			t.Errorf("CommitID(%q).Short() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzParseCommit checks that ParseCommit accepts exactly the full lowercase
// hex ids, returns them unchanged, and keeps its errors short.
func FuzzParseCommit(f *testing.F) {
	for _, s := range []string{"", sha1Commit, sha256Commit, strings.ToUpper(sha1Commit), "HEAD", "main", sha1Commit + "\n", "0123456"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCommit(s)
		valid := (len(s) == SHA1Len || len(s) == SHA256Len) && strings.Trim(s, "0123456789abcdef") == ""
		if valid != (err == nil) {
			t.Fatalf("ParseCommit(%q): valid=%v but err=%v", s, valid, err)
		}
		if err != nil {
			if c != "" || !errors.Is(err, ErrInvalidCommit) || len(err.Error()) > 600 {
				t.Fatalf("ParseCommit(%q) = %q, %v", s, c, err)
			}
			return
		}
		if string(c) != s || c.Short() != s[:7] {
			t.Fatalf("ParseCommit(%q) = %q (short %q)", s, c, c.Short())
		}
	})
}
