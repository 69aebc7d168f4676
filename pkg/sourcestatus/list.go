package sourcestatus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/gitward/gitward/pkg/inventory"
)

// ErrNotInstalled: the cluster does not serve SourceState objects, so no
// agent was installed.
var ErrNotInstalled = errors.New("the SourceState CRD (sourcestates.gitward.dev) is not installed: " +
	"gitward-agent is not installed in this cluster (install it with `kubectl gitops install --apply`)")

// Source is the status of one source, decoded from its SourceState.
type Source struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Repo      string `json:"repo,omitempty"`
	Branch    string `json:"branch,omitempty"`
	Path      string `json:"path,omitempty"`
	Mode      string `json:"mode,omitempty"`
	// Head is the branch head the agent last fetched.
	Head string `json:"head,omitempty"`
	// LastAppliedCommit is the last commit applied without failures.
	LastAppliedCommit string `json:"lastAppliedCommit,omitempty"`
	// AppliedBy is "kubectl-gitops sync" when a sync applied
	// LastAppliedCommit after the agent's last cycle ("" for the agent).
	AppliedBy string `json:"appliedBy,omitempty"`
	// AgentAppliedCommit, with AppliedBy, is the agent's last commit.
	AgentAppliedCommit string `json:"agentAppliedCommit,omitempty"`
	// LastSync is the last `kubectl gitops sync` of the source.
	LastSync *LastSync `json:"lastSync,omitempty"`
	// LastAttemptedCommit is the commit of the agent's last cycle.
	LastAttemptedCommit string `json:"lastAttemptedCommit,omitempty"`
	// Sync compares the applied commit with the head: see the Sync* values.
	Sync    string `json:"sync"`
	Applied int    `json:"applied"`
	Pruned  int    `json:"pruned"`
	Failed  int    `json:"failed"`
	Drifted int    `json:"drifted"`
	Managed int    `json:"managed"`
	// Ready is the status of the Ready condition ("True", "False" or
	// "Unknown" when the agent has not reported yet), Reason its reason.
	Ready          string             `json:"ready"`
	Reason         string             `json:"reason,omitempty"`
	LastError      string             `json:"lastError,omitempty"`
	DriftedObjects []DriftedObject    `json:"driftedObjects,omitempty"`
	FailedObjects  []string           `json:"failedObjects,omitempty"`
	PendingObjects []string           `json:"pendingObjects,omitempty"`
	PrunePending   []string           `json:"prunePending,omitempty"`
	Conditions     []metav1.Condition `json:"conditions,omitempty"`
}

// DriftedObject is an object whose Git-declared fields someone else changed.
type DriftedObject struct {
	Ref struct {
		Group     string `json:"group,omitempty"`
		Kind      string `json:"kind"`
		Namespace string `json:"namespace,omitempty"`
		Name      string `json:"name"`
	} `json:"ref"`
	File      string   `json:"file,omitempty"`
	Managers  []string `json:"managers,omitempty"`
	Fields    []string `json:"fields,omitempty"`
	Corrected bool     `json:"corrected"`
}

// Values of Source.Sync.
const (
	SyncInSync  = "InSync"  // the applied commit is the head
	SyncBehind  = "Behind"  // the head moved past the applied commit
	SyncNever   = "Never"   // nothing applied yet
	SyncUnknown = "Unknown" // no head fetched yet
)

// List returns the sources recorded in namespace ("" for every namespace),
// sorted by namespace and name. It wraps ErrNotInstalled when the cluster
// does not serve SourceState.
func List(ctx context.Context, c dynamic.Interface, namespace string) ([]Source, error) {
	list, err := c.Resource(inventory.GVR).Namespace(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			return nil, fmt.Errorf("%w (%v)", ErrNotInstalled, err)
		}
		where := "namespace " + namespace
		if namespace == "" {
			where = "all namespaces"
		}
		return nil, fmt.Errorf("list %s objects in %s: %w", inventory.Kind, where, err)
	}
	out := make([]Source, 0, len(list.Items))
	for i := range list.Items {
		s, err := Decode(&list.Items[i])
		if err != nil { // one unreadable record must not hide the others
			s.LastError, s.Sync, s.Ready = err.Error(), SyncUnknown, string(metav1.ConditionUnknown)
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// Decode reads the status of one SourceState object. On a malformed status
// it returns the name and namespace with the error.
func Decode(u *unstructured.Unstructured) (Source, error) {
	s := Source{Name: u.GetName(), Namespace: u.GetNamespace()}
	if status, ok := u.Object["status"].(map[string]any); ok {
		body, err := json.Marshal(status)
		if err != nil {
			return s, fmt.Errorf("%s %s/%s: status: %w", inventory.Kind, s.Namespace, s.Name, err)
		}
		if err := json.Unmarshal(body, &s); err != nil {
			return s, fmt.Errorf("%s %s/%s: status: %w", inventory.Kind, s.Namespace, s.Name, err)
		}
		s.Name, s.Namespace = u.GetName(), u.GetNamespace()
	}
	spec, _, _ := unstructured.NestedStringMap(u.Object, "spec")
	if s.Repo == "" {
		s.Repo = spec["repo"]
	}
	if s.Branch == "" {
		s.Branch = spec["branch"]
	}
	if s.Path == "" {
		s.Path = spec["path"]
	}
	s.Ready, s.Reason = string(metav1.ConditionUnknown), ""
	if c := meta.FindStatusCondition(s.Conditions, "Ready"); c != nil {
		s.Ready, s.Reason = string(c.Status), c.Reason
	}
	newestApplied(&s, u)
	s.Sync = syncOf(s)
	return s, nil
}

func syncOf(s Source) string {
	switch {
	case s.Head == "":
		return SyncUnknown
	case s.LastAppliedCommit == "":
		return SyncNever
	case s.LastAppliedCommit == s.Head:
		return SyncInSync
	}
	return SyncBehind
}
