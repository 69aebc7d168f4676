// Package seal turns Kubernetes Secrets into SealedSecrets that the
// sealed-secrets controller (github.com/bitnami-labs/sealed-secrets) opens,
// as kubeseal does, built on sealed-secrets' own crypto
// (pkg/crypto.HybridEncrypt: RSA-OAEP + AES-GCM) and API types
// (pkg/apis/sealedsecrets/v1alpha1).
//
// The pieces:
//
//   - ParseCertificate and FetchCertificate get the controller's public key,
//     from a PEM file or through the API server's service proxy
//     (/v1/cert.pem), refusing expired and non-RSA certificates.
//   - ReadSecrets and BuildSecret read the plaintext Secret, from YAML/JSON
//     or from literals, files and env files as `kubectl create secret
//     generic` takes them.
//   - Sealer encrypts a Secret's values concurrently (one HybridEncrypt per
//     value, crypto/rand) under a scope: strict, namespace-wide or
//     cluster-wide; Sealer.Raw encrypts a single value.
//   - Merge folds newly sealed keys into an existing SealedSecret, and
//     WriteFileAtomic replaces a file without ever leaving it half written.
//   - Encode writes SealedSecrets as YAML or JSON.
//
// Plaintext never leaves this package except as the caller's own input: no
// error, log line or temporary file carries a Secret value. Errors name the
// Secret, the key, the file and line instead.
package seal
