package gittest

import (
	"fmt"
	"maps"
	"slices"
)

// LayoutImage is the image the Deployment of a Layout runs, and the name its
// overlays' kustomize images entries set a tag for.
const LayoutImage = "ghcr.io/acme/api"

// Layout is the kustomize repository that the promotion, rollback and
// history tests share: base/ with one Deployment "api" running LayoutImage,
// and one overlay per environment under overlays/<env> that sets the
// environment's namespace and, through a kustomize images entry, its tag.
//
//	r := gittest.NewRepo(t)
//	r.WriteFiles(gittest.Layout{Tags: map[string]string{
//		"dev": "1.2.0", "staging": "1.1.0", "production": "1.0.0",
//	}}.Files()).Commit("layout")
//
// Files returns plain contents, so a test that commits another way (with
// its own git command line, say) can write them itself.
type Layout struct {
	// Tags maps each environment to the tag its overlay sets; an empty tag
	// leaves the overlay without an images entry, running base's tag.
	Tags map[string]string
	// BaseTag is the tag in base/deployment.yaml; empty means "0.0.0".
	BaseTag string
}

// Files returns the layout's files by slash-separated path: base/
// (kustomization.yaml, deployment.yaml) and overlays/<env>/kustomization.yaml
// for each environment of Tags.
func (l Layout) Files() map[string]string {
	baseTag := l.BaseTag
	if baseTag == "" {
		baseTag = "0.0.0"
	}
	files := map[string]string{
		"base/kustomization.yaml": "resources:\n- deployment.yaml\n",
		"base/deployment.yaml":    LayoutDeployment(baseTag),
	}
	for env, tag := range l.Tags {
		files["overlays/"+env+"/kustomization.yaml"] = LayoutOverlay(env, tag)
	}
	return files
}

// LayoutDeployment returns base/deployment.yaml of a Layout with the image
// at tag. It ends with the container's image line, so a test may append
// more fields of that container.
func LayoutDeployment(tag string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: ` + LayoutImage + ":" + tag + "\n"
}

// LayoutOverlay returns overlays/<env>/kustomization.yaml of a Layout. The
// comments and the blank line are there on purpose: a promotion must keep
// them. An empty tag leaves out the images entry.
func LayoutOverlay(env, tag string) string {
	k := fmt.Sprintf("# %s\nnamespace: %s\nresources:\n- ../../base\n", env, env)
	if tag == "" {
		return k
	}
	return k + fmt.Sprintf("\nimages:\n- name: %s\n  newTag: %q   # promoted\n", LayoutImage, tag)
}

// LayoutPolicy is a Kyverno ClusterPolicy, disallow-latest-tag, that
// refuses a Deployment running an image tagged latest. Written at
// policies/disallow-latest.yaml of a Layout whose overlay sets the tag
// "latest", it makes that environment's check fail.
const LayoutPolicy = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: disallow-latest-tag
spec:
  validationFailureAction: Enforce
  rules:
  - name: require-image-tag
    match:
      any:
      - resources:
          kinds: [Deployment]
    validate:
      message: "An image tag other than latest is required."
      pattern:
        spec:
          template:
            spec:
              containers:
              - image: "!*:latest"
`

// WriteFiles writes files (slash-separated path to content) into the
// working tree, in path order, like WriteFile. It does not stage or commit.
func (r *Repo) WriteFiles(files map[string]string) *Repo {
	r.t.Helper()
	for _, name := range slices.Sorted(maps.Keys(files)) {
		r.WriteFile(name, files[name])
	}
	return r
}
