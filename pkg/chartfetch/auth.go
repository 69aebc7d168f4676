package chartfetch

import (
	"fmt"
	"os"
	"strings"

	"github.com/gitward/gitward/pkg/gitrepo"
)

// Credential is HTTP basic authentication for one host, read from the same
// mounted files as Git credentials. Only TokenFile and Username of Files
// are used (SSH keys have no meaning for chart repositories).
type Credential struct {
	// Host is the host (and port, if not the default) the credential is
	// sent to, such as "charts.example.com" or "ghcr.io". It is sent to no
	// other host.
	Host string
	// Files names the token file and user name.
	Files gitrepo.AuthFiles
}

// basic returns the user name and password for host, read from the files
// now (a rotated token is picked up on the next fetch); ok is false when no
// credential names the host.
func basic(creds []Credential, host string) (user, password string, ok bool, err error) {
	for _, c := range creds {
		if !strings.EqualFold(c.Host, host) {
			continue
		}
		if c.Files.SSHKeyFile != "" {
			return "", "", false, fmt.Errorf("credential for %s: an SSH key cannot authenticate to a chart repository; mount a token file", host)
		}
		if c.Files.TokenFile == "" {
			return "", "", false, fmt.Errorf("credential for %s: no token file", host)
		}
		b, err := os.ReadFile(c.Files.TokenFile)
		if err != nil {
			return "", "", false, fmt.Errorf("credential for %s: %w", host, err)
		}
		token := strings.TrimSpace(string(b))
		if token == "" {
			return "", "", false, fmt.Errorf("credential for %s: token file %s is empty", host, c.Files.TokenFile)
		}
		user = c.Files.Username
		if user == "" {
			user = gitrepo.DefaultUsername
		}
		return user, token, true, nil
	}
	return "", "", false, nil
}
