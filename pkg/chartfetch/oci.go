package chartfetch

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Helm's OCI media types (helm.sh/helm/v3/pkg/registry).
const (
	ConfigMediaType       = "application/vnd.cncf.helm.config.v1+json"
	ChartLayerMediaType   = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
	legacyChartLayerMedia = "application/tar+gzip"
)

// ociRepository is the OCI repository holding ref's chart.
func ociRepository(ref Ref) (name.Repository, error) {
	s := strings.TrimSuffix(strings.TrimPrefix(ref.Repo, "oci://"), "/")
	if ref.Chart != "" {
		s += "/" + ref.Chart
	}
	repo, err := name.NewRepository(s)
	if err != nil {
		return name.Repository{}, fmt.Errorf("chart %s: OCI repository %q: %w", ref, s, err)
	}
	return repo, nil
}

// ociOptions are the registry client options for repo: the context, the
// transport and the host's credential (anonymous without one).
func (f *Fetcher) ociOptions(ctx context.Context, repo name.Repository) ([]remote.Option, error) {
	auth := authn.Anonymous
	user, pass, ok, err := basic(f.Credentials, repo.RegistryStr())
	if err != nil {
		return nil, err
	}
	if ok {
		auth = &authn.Basic{Username: user, Password: pass}
	}
	return []remote.Option{remote.WithContext(ctx), remote.WithAuth(auth), remote.WithTransport(f.client().Transport)}, nil
}

// ociTags lists the chart versions of an OCI repository: its tags, with
// Helm's "_" for "+" turned back.
func (f *Fetcher) ociTags(ctx context.Context, ref Ref) ([]string, error) {
	repo, err := ociRepository(ref)
	if err != nil {
		return nil, err
	}
	opts, err := f.ociOptions(ctx, repo)
	if err != nil {
		return nil, err
	}
	tags, err := remote.List(repo, opts...)
	if err != nil {
		return nil, fmt.Errorf("chart %s: list tags of %s: %w", ref, repo, err)
	}
	for i, t := range tags {
		tags[i] = strings.ReplaceAll(t, "_", "+")
	}
	return tags, nil
}

// chartConfig is the part of a Helm chart's OCI config (its Chart.yaml as
// JSON) a fetch reads.
type chartConfig struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// fetchOCI downloads the chart layer of the manifest a tag or digest names
// and checks the manifest, config and layer digests.
func (f *Fetcher) fetchOCI(ctx context.Context, ref Ref) (*Chart, error) {
	repo, err := ociRepository(ref)
	if err != nil {
		return nil, err
	}
	opts, err := f.ociOptions(ctx, repo)
	if err != nil {
		return nil, err
	}
	var r name.Reference = repo.Tag(strings.ReplaceAll(ref.Version, "+", "_"))
	if isDigest(ref.Version) {
		r = repo.Digest(ref.Version)
	}
	desc, err := remote.Get(r, opts...)
	if err != nil {
		return nil, fmt.Errorf("chart %s: manifest %s: %w", ref, r, err)
	}
	if desc.Size > f.maxIndex() {
		return nil, fmt.Errorf("chart %s: manifest %s is %d bytes: %w", ref, r, desc.Size, ErrTooLarge)
	}
	if isDigest(ref.Version) && desc.Digest.String() != ref.Version {
		return nil, fmt.Errorf("chart %s: manifest has %s: %w", ref, desc.Digest, ErrDigest)
	}
	var m v1.Manifest
	if err := json.Unmarshal(desc.Manifest, &m); err != nil {
		return nil, fmt.Errorf("chart %s: manifest %s (%s) is not an OCI image manifest: %w", ref, r, desc.MediaType, err)
	}
	if m.Config.MediaType != ConfigMediaType {
		return nil, fmt.Errorf("chart %s: %s is not a Helm chart: config media type %q, want %q", ref, r, m.Config.MediaType, ConfigMediaType)
	}
	var layer *v1.Descriptor
	for i, l := range m.Layers {
		if l.MediaType == ChartLayerMediaType || l.MediaType == legacyChartLayerMedia {
			layer = &m.Layers[i]
			break
		}
	}
	if layer == nil {
		return nil, fmt.Errorf("chart %s: manifest %s has no layer of media type %s", ref, r, ChartLayerMediaType)
	}
	if layer.Size > f.maxArchive() {
		return nil, fmt.Errorf("chart %s: chart layer is %d bytes, more than the %d allowed: %w", ref, layer.Size, f.maxArchive(), ErrTooLarge)
	}
	cfgBytes, err := f.blob(repo, m.Config, f.maxIndex(), opts)
	if err != nil {
		return nil, fmt.Errorf("chart %s: config: %w", ref, err)
	}
	var cfg chartConfig
	if err := json.Unmarshal(cfgBytes, &cfg); err != nil {
		return nil, fmt.Errorf("chart %s: config is not a Helm chart's metadata: %w", ref, err)
	}
	data, err := f.blob(repo, *layer, f.maxArchive(), opts)
	if err != nil {
		return nil, fmt.Errorf("chart %s: chart layer: %w", ref, err)
	}
	digest, p, err := f.store(data)
	if err != nil {
		return nil, err
	}
	return &Chart{Name: cfg.Name, Version: cfg.Version, Digest: digest, ManifestDigest: desc.Digest.String(), Path: p}, nil
}

// blob reads the blob d describes, at most max bytes, and checks its digest
// (go-containerregistry checks it too, at the end of the stream).
func (f *Fetcher) blob(repo name.Repository, d v1.Descriptor, max int64, opts []remote.Option) ([]byte, error) {
	l, err := remote.Layer(repo.Digest(d.Digest.String()), opts...)
	if err != nil {
		return nil, err
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("blob %s: more than the %d bytes allowed: %w", d.Digest, max, ErrTooLarge)
	}
	if got := digestOf(b); got != d.Digest.String() {
		return nil, fmt.Errorf("blob %s has %s: %w", d.Digest, got, ErrDigest)
	}
	return b, nil
}
