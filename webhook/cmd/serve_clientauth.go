package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
)

// ClientAuthFlags say who may call the webhook: the API server, presenting
// the client certificate its admission kubeconfig names
// (docs/security.md, "Authenticating the API server").
type ClientAuthFlags struct {
	ClientCAFile string
	ClientNames  []string
}

// addClientAuthFlags binds the client authentication flags.
func (o *ServeOptions) addClientAuthFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.ClientCAFile, "client-ca-file", o.ClientCAFile,
		"PEM bundle of the CA that signs the API server's client certificate; callers without a certificate it signed are refused at the TLS handshake (reloaded when it changes). Unset: anyone who reaches the port can send reviews (restrict ingress with the NetworkPolicy) and no break-glass Event is written")
	f.StringArrayVar(&o.ClientNames, "client-name", o.ClientNames,
		"allowed common name or DNS name of a client certificate (repeatable; with --client-ca-file; default: any the CA signed)")
}

// validateClientAuth checks the client authentication flags.
func (o *ServeOptions) validateClientAuth() error {
	if len(o.ClientNames) > 0 && o.ClientCAFile == "" {
		return fmt.Errorf("%w: --client-name needs --client-ca-file (the CA that signs the names)", ErrUsage)
	}
	return nil
}
