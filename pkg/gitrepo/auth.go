package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
)

// DefaultUsername is the user name AuthFromFiles uses when none is given:
// for HTTPS tokens GitHub and GitLab accept any non-empty name, and SSH
// hosts expect "git".
const DefaultUsername = "git"

// AuthFiles names credential files, typically mounted from a Secret. Set
// TokenFile for HTTP(S), or SSHKeyFile and KnownHostsFile for SSH.
type AuthFiles struct {
	// TokenFile holds an HTTP(S) token or password (surrounding white space
	// is ignored), sent with HTTP basic authentication.
	TokenFile string
	// Username for basic authentication or SSH; DefaultUsername if empty.
	Username string
	// SSHKeyFile holds an unencrypted private key in PEM or OpenSSH format.
	SSHKeyFile string
	// KnownHostsFile is an OpenSSH known_hosts file; required with
	// SSHKeyFile: host keys are always checked.
	KnownHostsFile string
}

// AuthFromFiles reads the credential files and returns the go-git
// authentication for them: *http.BasicAuth for TokenFile, *ssh.PublicKeys
// (with a known_hosts host key check) for SSHKeyFile. With no file set it
// returns nil, nil (anonymous access). Errors name the file and field.
func AuthFromFiles(f AuthFiles) (transport.AuthMethod, error) {
	user := f.Username
	if user == "" {
		user = DefaultUsername
	}
	switch {
	case f.TokenFile != "" && f.SSHKeyFile != "":
		return nil, errors.New("auth: set either TokenFile (HTTPS) or SSHKeyFile (SSH), not both")
	case f.TokenFile != "":
		b, err := os.ReadFile(f.TokenFile)
		if err != nil {
			return nil, fmt.Errorf("auth: read TokenFile: %w", err)
		}
		token := strings.TrimSpace(string(b))
		if token == "" {
			return nil, fmt.Errorf("auth: TokenFile %s is empty", f.TokenFile)
		}
		return &githttp.BasicAuth{Username: user, Password: token}, nil
	case f.SSHKeyFile != "":
		return sshAuth(user, f)
	case f.KnownHostsFile != "":
		return nil, fmt.Errorf("auth: KnownHostsFile %s is set but SSHKeyFile is not", f.KnownHostsFile)
	}
	return nil, nil
}

func sshAuth(user string, f AuthFiles) (transport.AuthMethod, error) {
	if f.KnownHostsFile == "" {
		return nil, fmt.Errorf("auth: SSHKeyFile %s needs KnownHostsFile: host keys are always verified", f.SSHKeyFile)
	}
	pem, err := os.ReadFile(f.SSHKeyFile)
	if err != nil {
		return nil, fmt.Errorf("auth: read SSHKeyFile: %w", err)
	}
	keys, err := gitssh.NewPublicKeys(user, pem, "")
	if err != nil {
		return nil, fmt.Errorf("auth: SSHKeyFile %s: %w", f.SSHKeyFile, err)
	}
	callback, err := gitssh.NewKnownHostsCallback(f.KnownHostsFile)
	if err != nil {
		return nil, fmt.Errorf("auth: KnownHostsFile %s: %w", f.KnownHostsFile, err)
	}
	algos, err := knownHostKeyAlgorithms(f.KnownHostsFile)
	if err != nil {
		return nil, err
	}
	keys.HostKeyCallback = callback
	keys.HostKeyAlgorithms = algos
	return keys, nil
}

// knownHostKeyAlgorithms lists the host key algorithms of the keys in a
// known_hosts file, so that the SSH handshake asks the server for a key type
// the file can check (otherwise a server offering, say, ECDSA first fails
// against a file that only pins its Ed25519 key). nil means no preference.
func knownHostKeyAlgorithms(file string) ([]string, error) {
	rest, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("auth: read KnownHostsFile: %w", err)
	}
	var algos []string
	seen := map[string]bool{}
	add := func(names ...string) {
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				algos = append(algos, n)
			}
		}
	}
	for len(bytes.TrimSpace(rest)) > 0 {
		var marker string
		var key ssh.PublicKey
		marker, _, key, _, rest, err = ssh.ParseKnownHosts(rest)
		if errors.Is(err, io.EOF) { // only comments were left
			break
		}
		if err != nil {
			return nil, fmt.Errorf("auth: KnownHostsFile %s: %w", file, err)
		}
		if marker != "" { // @cert-authority or @revoked: let the server choose
			return nil, nil
		}
		if key.Type() == ssh.KeyAlgoRSA {
			add(ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA)
			continue
		}
		add(key.Type())
	}
	return algos, nil
}
