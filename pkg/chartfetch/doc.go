// Package chartfetch fetches Helm charts named by a repository: from HTTP
// Helm repositories (index.yaml, then the chart's .tgz) and from OCI
// registries (Helm's OCI media types), into a content-addressed cache.
//
// A chart is fetched once per (repository, chart, exact version): the cache
// maps that triple to the sha256 of the archive, and the archive is stored
// under its digest and checked against it whenever it is read. A version
// range (">=1.0.0", "1.x", or "" for the latest stable version) is resolved
// against the repository's index or tag list, and the resolution is kept for
// Fetcher.ResolveTTL, so that a render does not ask the network each time.
//
// Every download is checked: an HTTP chart against the digest its index
// entry declares, an OCI chart against its manifest and layer digests (and
// the manifest digest the reference pins, if any). Every download is
// bounded: Fetcher.Timeout for the whole fetch, MaxIndexBytes and
// MaxArchiveBytes for the sizes read.
//
// Credentials come from the same mounted files as Git credentials
// (gitrepo.AuthFiles: a token file and a user name), and are sent only to
// the host they are configured for, never to a host an index redirects to.
package chartfetch
