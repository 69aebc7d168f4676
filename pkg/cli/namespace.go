package cli

import "os"

// PodNamespace returns the namespace an in-cluster program runs in, from
// $POD_NAMESPACE (which gitward's manifests set from the Downward API), or
// fallback when that is unset or empty.
func PodNamespace(fallback string) string {
	if ns := os.Getenv("POD_NAMESPACE"); ns != "" {
		return ns
	}
	return fallback
}
