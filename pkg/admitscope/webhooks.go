package admitscope

import (
	"slices"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gitward/gitward/pkg/provenance"
)

// Short names of the three webhooks; each is served on WebhookPath(name),
// so the server knows which webhook a request matched.
const (
	// ManagedNamespaces receives every change to every namespaced kind and
	// subresource in a namespace that carries the source label: the
	// namespace names the source, so unlabelled objects are in scope too
	// (a bare Pod, a CronJob, any custom resource).
	ManagedNamespaces = "managed-namespaces"
	// LabelledObjects receives objects that carry the source label outside
	// managed namespaces, and labelled cluster-scoped objects (except
	// Namespaces).
	LabelledObjects = "labelled-objects"
	// Namespaces receives Namespace objects that carry the source label.
	Namespaces = "namespaces"
)

// ValidatePath is the path every webhook's own path starts with.
const ValidatePath = "/validate"

// WebhookPath is where the webhook with short name shortName is served.
func WebhookPath(shortName string) string { return ValidatePath + "/" + shortName }

// Webhook is one webhook of the configuration.
type Webhook struct {
	// ShortName is the name without the ".gitward.dev" domain, and the last
	// element of its path.
	ShortName string
	// Sends says, for people, which requests the webhook receives.
	Sends             string
	NamespaceSelector *metav1.LabelSelector
	ObjectSelector    *metav1.LabelSelector
	Rules             []admissionregistrationv1.RuleWithOperations
	MatchConditions   []admissionregistrationv1.MatchCondition
}

// Name is the webhook's name in the configuration.
func (w Webhook) Name() string { return w.ShortName + ".gitward.dev" }

// Path is where the webhook is served.
func (w Webhook) Path() string { return WebhookPath(w.ShortName) }

// Webhooks returns the three webhooks. Their selectors are disjoint, so a
// request reaches at most one of them: a namespaced object goes to
// managed-namespaces when its namespace carries the source label and to
// labelled-objects otherwise; a Namespace goes to namespaces only.
func Webhooks() []Webhook {
	return []Webhook{
		{
			ShortName: ManagedNamespaces,
			Sends: "every kind and subresource (`*/*`, custom resources included) in namespaces " +
				"that carry `" + provenance.LabelSource + "`, labelled or not",
			NamespaceSelector: selector(exists(provenance.LabelSource), notExcluded()),
			Rules:             everything(admissionregistrationv1.NamespacedScope),
			MatchConditions:   MatchConditions(),
		},
		{
			ShortName: LabelledObjects,
			Sends: "objects that carry `" + provenance.LabelSource + "` in namespaces that do not, " +
				"and labelled cluster-scoped objects other than Namespaces",
			NamespaceSelector: selector(doesNotExist(provenance.LabelSource), notExcluded()),
			ObjectSelector:    selector(exists(provenance.LabelSource)),
			Rules:             everything(admissionregistrationv1.AllScopes),
			MatchConditions:   append(MatchConditions(), notANamespaceCondition()),
		},
		{
			ShortName:         Namespaces,
			Sends:             "Namespace objects (and their subresources) that carry `" + provenance.LabelSource + "`",
			NamespaceSelector: selector(notExcluded()),
			ObjectSelector:    selector(exists(provenance.LabelSource)),
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: writes(),
				Rule: admissionregistrationv1.Rule{
					APIGroups: []string{""}, APIVersions: []string{"*"},
					Resources: []string{"namespaces", "namespaces/*"},
					Scope:     ptr(admissionregistrationv1.ClusterScope),
				},
			}},
			MatchConditions: MatchConditions(),
		},
	}
}

// WebhookShortNames returns the short names of Webhooks, in order.
func WebhookShortNames() []string {
	var names []string
	for _, w := range Webhooks() {
		names = append(names, w.ShortName)
	}
	return names
}

// WebhookForPath returns the webhook served on path.
func WebhookForPath(path string) (Webhook, bool) {
	hooks := Webhooks()
	i := slices.IndexFunc(hooks, func(w Webhook) bool { return w.Path() == path })
	if i < 0 {
		return Webhook{}, false
	}
	return hooks[i], true
}

// everything is one rule for every group, version, resource and
// subresource: what a change can reach does not depend on its kind (a bare
// Pod, pods/ephemeralcontainers, a custom resource). "*/*" is every resource
// and every subresource; the API server refuses it beside "*". CONNECT is
// left out: it changes no object.
func everything(scope admissionregistrationv1.ScopeType) []admissionregistrationv1.RuleWithOperations {
	return []admissionregistrationv1.RuleWithOperations{{
		Operations: writes(),
		Rule: admissionregistrationv1.Rule{
			APIGroups: []string{"*"}, APIVersions: []string{"*"},
			Resources: []string{"*/*"},
			Scope:     ptr(scope),
		},
	}}
}

func writes() []admissionregistrationv1.OperationType {
	return []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update, admissionregistrationv1.Delete}
}

func selector(exprs ...metav1.LabelSelectorRequirement) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchExpressions: exprs}
}

func exists(key string) metav1.LabelSelectorRequirement {
	return metav1.LabelSelectorRequirement{Key: key, Operator: metav1.LabelSelectorOpExists}
}

func doesNotExist(key string) metav1.LabelSelectorRequirement {
	return metav1.LabelSelectorRequirement{Key: key, Operator: metav1.LabelSelectorOpDoesNotExist}
}

// notExcluded keeps the excluded namespaces away by their immutable name
// label (for a Namespace object, its own).
func notExcluded() metav1.LabelSelectorRequirement {
	return metav1.LabelSelectorRequirement{Key: NamespaceNameLabel, Operator: metav1.LabelSelectorOpNotIn, Values: ExcludedNamespaces()}
}

func ptr[T any](v T) *T { return &v }
