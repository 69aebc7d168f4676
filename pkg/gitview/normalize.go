package gitview

import (
	"encoding/base64"
	"encoding/json"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	sigsjson "sigs.k8s.io/json"
)

// normalize returns a rendered object as the API server stores it where the
// difference is encoding, not content, so that the decision can compare
// exactly: a Secret's stringData folded into data, and a built-in kind
// passed through its Go type and back, which drops what the API server's
// encoding drops (omitempty zero values: data: {}, "" strings, false
// booleans that are not pointers) and keeps what it keeps (pointer fields:
// allowPrivilegeEscalation: false, replicas: 0; securityContext: {}), and
// spells quantities canonically (0.5 → 500m). Custom resources are stored
// as sent and stay as rendered. An object its type does not take (a bad
// quantity) stays as rendered: compared exactly, that can only deny more.
func normalize(u *unstructured.Unstructured, log logr.Logger) map[string]any {
	foldStringData(u)
	typed, err := scheme.Scheme.New(u.GroupVersionKind())
	if err != nil {
		return u.Object // not a built-in kind
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, typed); err != nil {
		log.V(1).Info("kept a rendered object as rendered: its type does not take it", "kind", u.GetKind(), "name", u.GetName(), "error", err.Error())
		return u.Object
	}
	b, err := json.Marshal(typed)
	if err != nil {
		return u.Object
	}
	var out map[string]any
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(b, &out); err != nil {
		return u.Object
	}
	out["apiVersion"], out["kind"] = u.GetAPIVersion(), u.GetKind()
	return out
}

// foldStringData folds a Secret's stringData into data, as the API server
// does on write.
func foldStringData(u *unstructured.Unstructured) {
	if u.GetAPIVersion() != "v1" || u.GetKind() != "Secret" {
		return
	}
	sd, ok := u.Object["stringData"].(map[string]any)
	if !ok {
		return
	}
	data, _ := u.Object["data"].(map[string]any)
	if data == nil {
		data = map[string]any{}
	}
	for k, v := range sd {
		if s, ok := v.(string); ok {
			data[k] = base64.StdEncoding.EncodeToString([]byte(s))
		}
	}
	u.Object["data"] = data
	delete(u.Object, "stringData")
}
