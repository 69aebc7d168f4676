//go:build e2e

package e2e

import (
	"fmt"
	"testing"

	"github.com/gitward/gitward/pkg/gitrepo/gittest"
	"github.com/gitward/gitward/pkg/provenance"
)

// attackHistory is the Git history of the adversarial suite, on branch main:
//
//	c1 ── c2 ── merge      (first-parent chain: c1, c2, merge = head)
//	  └─ fork ──┘          (branch hotfix, forked from c1, merged after c2)
//
// c2 changes web's image and the values of settings, flags, release and
// limits; fork changes nothing the overlay renders, so its rendering is c1's
// older content under a commit reachable from head but not on main's
// first-parent chain.
type attackHistory struct {
	c1, fork, c2, merge provenance.CommitID
}

// attackVersion is what changes between c1 and c2.
type attackVersion struct {
	image, color, mode, release, max string
}

var (
	attackV1 = attackVersion{image: "registry.k8s.io/pause:3.9", color: "blue", mode: "old", release: "1", max: "10"}
	attackV2 = attackVersion{image: "registry.k8s.io/pause:3.10", color: "green", mode: "new", release: "2", max: "20"}
)

// newAttackRepo commits the history in a new repository and pushes every
// commit to a bare one.
func newAttackRepo(t *testing.T) (*whRepo, attackHistory) {
	t.Helper()
	r := &whRepo{work: gittest.NewRepo(t)}
	var h attackHistory
	writeAttackOverlay(r.work, attackV1)
	h.c1 = r.commit("c1: production as first deployed")
	r.work.Git("checkout", "--quiet", "-b", "hotfix")
	r.work.WriteFile("docs/hotfix.md", "A fix made on a branch forked from c1.\n")
	h.fork = r.commit("fork: a hotfix branch forked from c1")
	r.work.Git("checkout", "--quiet", "main")
	writeAttackOverlay(r.work, attackV2)
	h.c2 = r.commit("c2: new image, new values")
	r.work.Git("merge", "--quiet", "--no-ff", "-m", "merge hotfix", "hotfix")
	h.merge = provenance.CommitID(r.work.Head())
	r.bare = r.work.Bare()
	return r, h
}

// writeAttackOverlay writes overlays/production: in namespace shop a
// Deployment web with a container declaring `securityContext: {}` and one
// declaring `allowPrivilegeEscalation: false` (pod spec
// `automountServiceAccountToken: false`), a Deployment idle with
// `replicas: 0`, a StatefulSet queue (its replicas are the ignore rule's), a
// ConfigMap empty with `data: {}`, ConfigMaps with values, a ConfigMap zeros
// holding "", a CronJob nightly and a Service web; in namespace shop-tmp a
// ConfigMap and a Deployment.
func writeAttackOverlay(w *gittest.Repo, v attackVersion) {
	w.WriteFile("overlays/production/kustomization.yaml", "resources: [shop, shop-tmp]\n")
	w.WriteFile("overlays/production/shop/kustomization.yaml",
		"namespace: shop\nresources: [web.yaml, idle.yaml, queue.yaml, configmaps.yaml, nightly.yaml, service.yaml]\n")
	w.WriteFile("overlays/production/shop/web.yaml", fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      automountServiceAccountToken: false
      containers:
        - name: web
          image: %[1]s
          securityContext: {}
        - name: sidecar
          image: %[1]s
          securityContext:
            allowPrivilegeEscalation: false
`, v.image))
	w.WriteFile("overlays/production/shop/idle.yaml", `apiVersion: apps/v1
kind: Deployment
metadata:
  name: idle
spec:
  replicas: 0
  selector:
    matchLabels: {app: idle}
  template:
    metadata:
      labels: {app: idle}
    spec:
      containers:
        - name: idle
          image: registry.k8s.io/pause:3.10
`)
	w.WriteFile("overlays/production/shop/queue.yaml", `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: queue
spec:
  replicas: 1
  serviceName: queue
  selector:
    matchLabels: {app: queue}
  template:
    metadata:
      labels: {app: queue}
    spec:
      containers:
        - name: queue
          image: registry.k8s.io/pause:3.10
`)
	w.WriteFile("overlays/production/shop/configmaps.yaml", fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata:
  name: empty
data: {}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: %s
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: flags
data:
  mode: %s
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: release
data:
  version: "%s"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: limits
data:
  max: "%s"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: zeros
data:
  FEATURE_X: ""
`, v.color, v.mode, v.release, v.max))
	w.WriteFile("overlays/production/shop/nightly.yaml", `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: report
              image: registry.k8s.io/pause:3.10
`)
	w.WriteFile("overlays/production/shop/service.yaml", `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
      targetPort: 8080
`)
	w.WriteFile("overlays/production/shop-tmp/kustomization.yaml", "namespace: shop-tmp\nresources: [tmp.yaml]\n")
	w.WriteFile("overlays/production/shop-tmp/tmp.yaml", `apiVersion: v1
kind: ConfigMap
metadata:
  name: tmp-settings
data:
  color: grey
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: tmp-web
spec:
  replicas: 1
  selector:
    matchLabels: {app: tmp-web}
  template:
    metadata:
      labels: {app: tmp-web}
    spec:
      containers:
        - name: web
          image: registry.k8s.io/pause:3.10
`)
}

// attackObjects are the objects of the overlay, as kind/name.
var attackObjects = []string{
	"Deployment/web", "Deployment/idle", "StatefulSet/queue",
	"ConfigMap/empty", "ConfigMap/settings", "ConfigMap/flags", "ConfigMap/release", "ConfigMap/limits", "ConfigMap/zeros",
	"CronJob/nightly", "Service/web", "ConfigMap/tmp-settings", "Deployment/tmp-web",
}
