package gitrepo

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/transport"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAuthToken clones from a loopback server that requires HTTP basic
// authentication, with a token read from a file.
func TestAuthToken(t *testing.T) {
	src := gittest.NewRepo(t)
	c1 := src.WriteFile("a", "1").Commit("c1")
	srv := gittest.NewServer(t, src.Bare(), gittest.ServerOptions{Username: "git", Password: "s3cret"})
	tests := []struct {
		name    string
		files   AuthFiles
		wantErr error
	}{
		{name: "token, default user", files: AuthFiles{TokenFile: writeFile(t, "token", "s3cret\n")}},
		{name: "wrong token", files: AuthFiles{TokenFile: writeFile(t, "token", "guess")},
			wantErr: transport.ErrAuthenticationRequired}, // a 401, as GitHub answers
		{name: "wrong user", files: AuthFiles{TokenFile: writeFile(t, "token", "s3cret"), Username: "bob"},
			wantErr: transport.ErrAuthenticationRequired},
		{name: "anonymous", files: AuthFiles{}, wantErr: transport.ErrAuthenticationRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth, err := AuthFromFiles(tt.files)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Clone(testCtx(t), CloneOptions{URL: srv.URL, Branch: "main", Depth: 1, Auth: auth})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Clone err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Clone: %v", err)
			}
			wantHead(t, r, c1, "authenticated clone")
			// Fetch reuses the credential given to Clone.
			if err := r.Fetch(testCtx(t), FetchOptions{Depth: 1}); err != nil {
				t.Fatalf("Fetch with the clone's credential: %v", err)
			}
		})
	}
}

func TestAuthSSH(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := writeFile(t, "id_ed25519", string(pem.EncodeToMemory(block)))
	hostPub, _, _ := ed25519.GenerateKey(rand.Reader)
	hostKey, err := ssh.NewPublicKey(hostPub)
	if err != nil {
		t.Fatal(err)
	}
	knownHosts := writeFile(t, "known_hosts", "# pinned\n"+knownhosts.Line([]string{"git.example.com"}, hostKey)+"\n")

	auth, err := AuthFromFiles(AuthFiles{SSHKeyFile: keyFile, KnownHostsFile: knownHosts})
	if err != nil {
		t.Fatal(err)
	}
	keys, ok := auth.(*gitssh.PublicKeys)
	if !ok {
		t.Fatalf("AuthFromFiles = %T, want *ssh.PublicKeys", auth)
	}
	userKey, _ := ssh.NewPublicKey(pub)
	if keys.User != DefaultUsername || string(keys.Signer.PublicKey().Marshal()) != string(userKey.Marshal()) {
		t.Errorf("user %q / key mismatch", keys.User)
	}
	if !slices.Equal(keys.HostKeyAlgorithms, []string{ssh.KeyAlgoED25519}) {
		t.Errorf("HostKeyAlgorithms = %v, want [%s]", keys.HostKeyAlgorithms, ssh.KeyAlgoED25519)
	}
	addr := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 22}
	if err := keys.HostKeyCallback("git.example.com:22", addr, hostKey); err != nil {
		t.Errorf("the pinned host key is refused: %v", err)
	}
	otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
	other, _ := ssh.NewPublicKey(otherPub)
	if err := keys.HostKeyCallback("git.example.com:22", addr, other); err == nil {
		t.Error("a different host key is accepted")
	}
}

func TestAuthFromFilesErrors(t *testing.T) {
	token := writeFile(t, "token", "t")
	tests := []struct {
		name  string
		files AuthFiles
	}{
		{name: "token and key", files: AuthFiles{TokenFile: token, SSHKeyFile: token}},
		{name: "missing token file", files: AuthFiles{TokenFile: filepath.Join(t.TempDir(), "none")}},
		{name: "empty token", files: AuthFiles{TokenFile: writeFile(t, "token", " \n")}},
		{name: "key without known_hosts", files: AuthFiles{SSHKeyFile: token}},
		{name: "not a key", files: AuthFiles{SSHKeyFile: token, KnownHostsFile: writeFile(t, "kh", "")}},
		{name: "known_hosts without key", files: AuthFiles{KnownHostsFile: token}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth, err := AuthFromFiles(tt.files)
			if err == nil {
				t.Fatalf("AuthFromFiles = %v, want an error", auth)
			}
			t.Logf("error: %v", err)
		})
	}
	if auth, err := AuthFromFiles(AuthFiles{}); auth != nil || err != nil {
		t.Errorf("no files: AuthFromFiles = %v, %v; want nil, nil", auth, err)
	}
}
