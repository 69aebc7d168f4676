// Package charttest packages chart folders into archives and serves them
// from a Helm HTTP repository and an OCI registry on loopback, for tests of
// chart fetching and expansion.
package charttest
