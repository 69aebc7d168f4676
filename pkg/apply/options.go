package apply

import (
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"

	"github.com/gitward/gitward/pkg/admit"
	"github.com/gitward/gitward/pkg/provenance"
)

// Mode says whether an Applier writes.
type Mode string

const (
	// ModeEnforce applies changes and corrects drift.
	ModeEnforce Mode = "enforce"
	// ModeDetect writes nothing: it reports what would be applied and the
	// drift it finds.
	ModeDetect Mode = "detect"
)

// Defaults for the zero values of Options.
const (
	DefaultConcurrency = 24
	DefaultCRDTimeout  = 60 * time.Second
	DefaultNamespace   = "default"
)

// Field validation directives of server-side apply (the fieldValidation
// query parameter). See Options.FieldValidation.
const (
	FieldValidationIgnore = "Ignore"
	FieldValidationWarn   = "Warn"
	FieldValidationStrict = "Strict"
)

// Options configures an Applier.
type Options struct {
	// Dynamic applies and reads full objects. Required.
	Dynamic dynamic.Interface
	// Metadata lists live objects metadata-only. Required.
	Metadata metadata.Interface
	// Mapper maps kinds to resources. If it is a meta.ResettableRESTMapper it
	// is reset after CRDs are applied, and at most once per Apply when it
	// does not know a kind (a CRD installed since). Required.
	Mapper meta.RESTMapper
	// Source is the source name stamped on every object. Required.
	Source string
	// FieldManager for server-side apply; default provenance.FieldManager.
	FieldManager string
	// Force takes ownership of fields other managers own (server-side apply
	// force-conflicts). Without it such an apply fails with ErrConflict.
	Force bool
	// Mode is ModeEnforce (default) or ModeDetect.
	Mode Mode
	// Concurrency bounds the applies in flight; default DefaultConcurrency.
	Concurrency int
	// CRDTimeout bounds the wait for applied CRDs to be Established.
	CRDTimeout time.Duration
	// DefaultNamespace is set on namespaced objects that have none.
	DefaultNamespace string
	// Namespaces, when set, makes live lists per namespace instead of
	// cluster-wide (for RBAC narrowed to these namespaces).
	Namespaces []string
	// FieldValidation is the fieldValidation directive of every apply;
	// default FieldValidationIgnore. For an apply patch the directive only
	// decides whether the API server parses the body a second time to look
	// for duplicate keys: unknown fields are refused by server-side apply's
	// schema in every mode (tests: validation_e2e_test.go), and the body is
	// encoded from a map, so it holds no duplicates. Ignore skips that parse:
	// about a tenth less API server CPU per apply (bench/agent TestWriteCost).
	FieldValidation string
	// Ignore are the webhook's ignore rules: a path another manager owns is
	// left out of the apply and of drift detection (see leaveToOthers).
	Ignore []admit.IgnoreRule
	// Controllers are managers whose fields are left alone; nil:
	// DefaultControllers, empty: none.
	Controllers []Controller
}

// Complete fills in defaults.
func (o *Options) Complete() {
	if o.FieldManager == "" {
		o.FieldManager = provenance.FieldManager
	}
	if o.Mode == "" {
		o.Mode = ModeEnforce
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.CRDTimeout <= 0 {
		o.CRDTimeout = DefaultCRDTimeout
	}
	if o.DefaultNamespace == "" {
		o.DefaultNamespace = DefaultNamespace
	}
	if o.FieldValidation == "" {
		o.FieldValidation = FieldValidationIgnore
	}
	if o.Controllers == nil {
		o.Controllers = DefaultControllers()
	}
}

// Validate reports missing clients, an invalid source name or mode.
func (o *Options) Validate() error {
	var errs []error
	if o.Dynamic == nil {
		errs = append(errs, errors.New("apply: Options.Dynamic is required"))
	}
	if o.Metadata == nil {
		errs = append(errs, errors.New("apply: Options.Metadata is required"))
	}
	if o.Mapper == nil {
		errs = append(errs, errors.New("apply: Options.Mapper is required"))
	}
	if err := provenance.ValidateSource(o.Source); err != nil {
		errs = append(errs, fmt.Errorf("apply: Options.Source: %w", err))
	}
	if o.Mode != ModeEnforce && o.Mode != ModeDetect {
		errs = append(errs, fmt.Errorf("apply: Options.Mode %q: want %q or %q", o.Mode, ModeEnforce, ModeDetect))
	}
	switch o.FieldValidation {
	case FieldValidationIgnore, FieldValidationWarn, FieldValidationStrict:
	default:
		errs = append(errs, fmt.Errorf("apply: Options.FieldValidation %q: want %q, %q or %q",
			o.FieldValidation, FieldValidationIgnore, FieldValidationWarn, FieldValidationStrict))
	}
	return errors.Join(errs...)
}
