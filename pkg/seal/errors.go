package seal

import "errors"

// Sentinel errors. Errors returned by this package wrap one of them, so that
// callers can test with errors.Is; the wrapping message names the object,
// file or key involved — never a Secret value.
var (
	// ErrNoCertificate means the PEM input holds no certificate.
	ErrNoCertificate = errors.New("no certificate found")
	// ErrCertificateExpired means the certificate's NotAfter has passed.
	ErrCertificateExpired = errors.New("certificate expired")
	// ErrCertificateNotYetValid means the certificate's NotBefore is in the future.
	ErrCertificateNotYetValid = errors.New("certificate not yet valid")
	// ErrNotRSA means the certificate's public key is not an RSA key.
	ErrNotRSA = errors.New("certificate public key is not RSA")
	// ErrNotSecret means an input document is not a v1 Secret.
	ErrNotSecret = errors.New("not a v1 Secret")
	// ErrNoSecrets means the input holds no document at all.
	ErrNoSecrets = errors.New("no Secret found in the input")
	// ErrEmptySecret means a Secret has neither data nor stringData.
	ErrEmptySecret = errors.New("Secret has no data")
	// ErrMissingName means a Secret (or a raw value under strict scope) has no name.
	ErrMissingName = errors.New("missing name")
	// ErrMissingNamespace means a Secret (or a raw value under strict or
	// namespace-wide scope) has no namespace.
	ErrMissingNamespace = errors.New("missing namespace")
	// ErrNamespaceMismatch means the Secret's namespace differs from the one requested.
	ErrNamespaceMismatch = errors.New("namespace mismatch")
	// ErrInvalidKey means a data key is not a valid Secret key.
	ErrInvalidKey = errors.New("invalid Secret key")
	// ErrDuplicateKey means two sources give the same data key.
	ErrDuplicateKey = errors.New("duplicate Secret key")
	// ErrInvalidSource means a --from-literal, --from-file or --from-env-file
	// argument is malformed.
	ErrInvalidSource = errors.New("invalid source")
	// ErrInvalidScope means a scope name is not strict, namespace-wide or cluster-wide.
	ErrInvalidScope = errors.New("invalid scope")
	// ErrScopeMismatch means --merge-into would mix two scopes in one SealedSecret.
	ErrScopeMismatch = errors.New("scope mismatch")
	// ErrNotSealedSecret means a document is not a bitnami.com/v1alpha1 SealedSecret.
	ErrNotSealedSecret = errors.New("not a SealedSecret")
	// ErrInvalidFormat means an output format other than yaml or json.
	ErrInvalidFormat = errors.New("invalid output format")
)
