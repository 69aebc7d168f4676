package cmd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"

	ssv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	corev1 "k8s.io/api/core/v1"

	"github.com/gitward/gitward/pkg/seal"
)

// Run seals what the flags describe and writes it to Out or --merge-into.
func (o *SealOptions) Run(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	certPEM, certSource, err := o.certificate(ctx)
	if err != nil {
		return err
	}
	key, err := seal.ParseCertificate(certPEM, certSource, o.Now())
	if err != nil {
		return err
	}
	if o.FetchCert {
		_, err := o.Out.Write(certPEM)
		return err
	}
	// Each RSA operation allocates ~70 KB of short-lived memory inside
	// crypto/rsa. With the default GOGC the collector runs every few
	// milliseconds; with a much larger heap every fresh page costs a fault.
	// 200 measured fastest for a 1,000-value Secret (bench/seal).
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(200))
	}
	sealer := &seal.Sealer{Key: key}
	if o.Raw {
		return o.runRaw(sealer)
	}
	secrets, err := o.secrets()
	if err != nil {
		return err
	}
	if o.MergeInto != "" {
		return o.runMerge(ctx, sealer, secrets)
	}
	out := make([]*ssv1alpha1.SealedSecret, 0, len(secrets))
	for _, s := range secrets {
		if err := o.target(s); err != nil {
			return err
		}
		ss, err := sealer.Seal(ctx, s, seal.SealOptions{Scope: o.scope, AllowEmptyData: o.AllowEmptyData})
		if err != nil {
			return err
		}
		out = append(out, ss)
	}
	return seal.Encode(o.Out, o.Output, out...)
}

// certificate reads --cert, or fetches the controller's certificate.
func (o *SealOptions) certificate(ctx context.Context) ([]byte, string, error) {
	if o.CertFile != "" {
		data, err := os.ReadFile(o.CertFile)
		if err != nil {
			return nil, "", fmt.Errorf("--cert: %w", err)
		}
		return data, o.CertFile, nil
	}
	data, err := seal.FetchCertificate(ctx, o.Client, o.ControllerNamespace, o.ControllerName)
	if err != nil {
		return nil, "", err
	}
	return data, fmt.Sprintf("certificate of controller %s/%s", o.ControllerNamespace, o.ControllerName), nil
}

// secrets builds the Secret from --from-* flags, or reads -f/stdin.
func (o *SealOptions) secrets() ([]*corev1.Secret, error) {
	src := seal.SecretSource{
		Name: o.Name, Type: corev1.SecretType(o.Type),
		Literals: o.Literals, Files: o.Files, EnvFiles: o.EnvFiles,
	}
	if !src.Empty() {
		s, err := seal.BuildSecret(src)
		if err != nil {
			return nil, err
		}
		return []*corev1.Secret{s}, nil
	}
	r, name, closeFn, err := o.input()
	if err != nil {
		return nil, err
	}
	defer closeFn()
	secrets, err := seal.ReadSecrets(r, name)
	if err != nil {
		return nil, err
	}
	if o.Name != "" {
		if len(secrets) > 1 {
			return nil, fmt.Errorf("%s: --name renames one Secret, the input holds %d", name, len(secrets))
		}
		secrets[0].Name = o.Name
	}
	return secrets, nil
}

// input opens -f FILE, or stdin.
func (o *SealOptions) input() (io.Reader, string, func(), error) {
	if o.Filename == "" || o.Filename == "-" {
		return o.In, "stdin", func() {}, nil
	}
	f, err := os.Open(o.Filename)
	if err != nil {
		return nil, "", nil, fmt.Errorf("-f: %w", err)
	}
	return f, o.Filename, func() { _ = f.Close() }, nil
}

// target fills in the namespace: the Secret's own, else -n, else the
// kubeconfig context's when it names one. An explicit -n that differs from
// the Secret's is refused. The default namespace is never assumed.
func (o *SealOptions) target(s *corev1.Secret) error {
	flagNS := o.flagNamespace()
	switch {
	case flagNS != "" && s.Namespace != "" && flagNS != s.Namespace:
		return fmt.Errorf("Secret %s/%s: %w: -n/--namespace says %q", s.Namespace, s.Name, seal.ErrNamespaceMismatch, flagNS)
	case s.Namespace != "":
		return nil
	case flagNS != "":
		s.Namespace = flagNS
	case !o.clusterWide(s):
		s.Namespace = o.contextNamespace()
	}
	return nil
}

// clusterWide reports whether s is sealed cluster-wide, by --scope or by
// its annotations: then it needs no namespace.
func (o *SealOptions) clusterWide(s *corev1.Secret) bool {
	if o.scope != nil {
		return *o.scope == seal.ClusterWide
	}
	return seal.ScopeOf(s) == seal.ClusterWide
}

func (o *SealOptions) flagNamespace() string {
	if o.ConfigFlags == nil || o.ConfigFlags.Namespace == nil {
		return ""
	}
	return *o.ConfigFlags.Namespace
}

// contextNamespace is the namespace the kubeconfig's current (or --context)
// context sets explicitly, or "".
func (o *SealOptions) contextNamespace() string {
	if o.ConfigFlags == nil {
		return ""
	}
	raw, err := o.ConfigFlags.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return ""
	}
	name := raw.CurrentContext
	if o.ConfigFlags.Context != nil && *o.ConfigFlags.Context != "" {
		name = *o.ConfigFlags.Context
	}
	if c, ok := raw.Contexts[name]; ok {
		return c.Namespace
	}
	return ""
}

// runRaw encrypts one value from --from-file or stdin.
func (o *SealOptions) runRaw(sealer *seal.Sealer) error {
	var value []byte
	var err error
	if len(o.Files) == 1 {
		value, err = os.ReadFile(o.Files[0])
		if err != nil {
			return fmt.Errorf("--from-file: %w", err)
		}
	} else if value, err = io.ReadAll(o.In); err != nil {
		return fmt.Errorf("reading the value from stdin: %w", err)
	}
	sc := seal.Strict
	if o.scope != nil {
		sc = *o.scope
	}
	ns := o.flagNamespace()
	if ns == "" && sc != seal.ClusterWide {
		ns = o.contextNamespace()
	}
	ct, err := sealer.Raw(value, ns, o.Name, sc)
	if err != nil {
		return err
	}
	_, err = io.WriteString(o.Out, ct)
	return err
}

// runMerge seals the one input Secret for the name, namespace and scope of
// the --merge-into file and rewrites that file atomically.
func (o *SealOptions) runMerge(ctx context.Context, sealer *seal.Sealer, secrets []*corev1.Secret) error {
	data, err := os.ReadFile(o.MergeInto)
	if err != nil {
		return fmt.Errorf("--merge-into: %w", err)
	}
	orig, format, err := seal.DecodeSealedSecret(data, o.MergeInto)
	if err != nil {
		return err
	}
	if len(secrets) != 1 {
		return fmt.Errorf("--merge-into %s: %w: the input holds %d Secrets, want one", o.MergeInto, errSealUsage, len(secrets))
	}
	sc := seal.ScopeOf(orig)
	if o.scope != nil && *o.scope != sc {
		return fmt.Errorf("--merge-into %s: %w: the file is sealed %s, --scope says %s",
			o.MergeInto, seal.ErrScopeMismatch, seal.ScopeName(sc), seal.ScopeName(*o.scope))
	}
	s := secrets[0]
	s.Name, s.Namespace = orig.Name, orig.Namespace
	update, err := sealer.Seal(ctx, s, seal.SealOptions{Scope: &sc, AllowEmptyData: o.AllowEmptyData})
	if err != nil {
		return fmt.Errorf("--merge-into %s: %w", o.MergeInto, err)
	}
	merged, err := seal.Merge(orig, update)
	if err != nil {
		return fmt.Errorf("--merge-into %s: %w", o.MergeInto, err)
	}
	if o.outputSet {
		format = o.Output
	}
	var buf bytes.Buffer
	if err := seal.Encode(&buf, format, merged); err != nil {
		return err
	}
	if err := seal.WriteFileAtomic(o.MergeInto, buf.Bytes()); err != nil {
		return err
	}
	keys := make([]string, 0, len(update.Spec.EncryptedData))
	for k := range update.Spec.EncryptedData {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	_, err = fmt.Fprintf(o.ErrOut, "%s: sealed %s into SealedSecret %s/%s\n",
		o.MergeInto, strings.Join(keys, ", "), merged.Namespace, merged.Name)
	return err
}
