package install

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

// FieldManager is the field manager of `kubectl gitops install --apply`.
const FieldManager = "kubectl-gitops-install"

// ApplyOptions configures Apply.
type ApplyOptions struct {
	Dynamic dynamic.Interface
	// Mapper maps kinds to resources; a meta.ResettableRESTMapper is reset
	// after CRDs are applied.
	Mapper meta.RESTMapper
	// DryRun asks the server to validate without persisting.
	DryRun bool
	// Out receives one line per object, like kubectl apply, and what the
	// install waits for.
	Out io.Writer
	// Kube checks the webhook's readiness; required unless DryRun.
	Kube kubernetes.Interface
	// Namespace is the install's namespace (Options.Namespace).
	Namespace string
	// Wait waits up to Timeout for the webhook to answer before its
	// configuration fails closed. Without it the configuration stays
	// failurePolicy Ignore.
	Wait    bool
	Timeout time.Duration
	// Reach is WaitOptions.Reach; default ProxyReach.
	Reach func(ctx context.Context, kube kubernetes.Interface, namespace string) error
}

// Apply server-side-applies r's objects (forcing conflicts: install owns
// them): Namespaces and CRDs first, then the rest, what guards admission
// (the ValidatingWebhookConfiguration, the ValidatingAdmissionPolicy and its
// binding) last. It stops at the first failure.
//
// The webhook's configuration goes in with failurePolicy Ignore first (the
// webhook's self-bootstrap needs it to exist), and as rendered (Fail) only
// once WaitForWebhook says the API server reaches the webhook: a webhook
// that does not run (ImagePullBackOff, no node) never locks the cluster.
func Apply(ctx context.Context, r *Result, o ApplyOptions) error {
	if o.Dynamic == nil || o.Mapper == nil {
		return errors.New("install: ApplyOptions.Dynamic and Mapper are required")
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	var first, rest, last []*unstructured.Unstructured
	for _, u := range r.Objects {
		switch u.GetKind() {
		case "Namespace", "CustomResourceDefinition":
			first = append(first, u)
		case "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding":
			last = append(last, u)
		default:
			rest = append(rest, u)
		}
	}
	created := createdByInstall(r.Objects)
	for i, batch := range [][]*unstructured.Unstructured{first, rest, last} {
		if i == 1 {
			if rm, ok := o.Mapper.(meta.ResettableRESTMapper); ok {
				rm.Reset()
			}
		}
		for _, u := range batch {
			if u.GetKind() == "ValidatingWebhookConfiguration" && !o.DryRun {
				if err := applyWebhookConfiguration(ctx, u, o, created); err != nil {
					return err
				}
				continue
			}
			if err := applyOne(ctx, u, o, created); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyWebhookConfiguration applies the configuration failing open, waits
// for the webhook, then applies it as rendered.
func applyWebhookConfiguration(ctx context.Context, u *unstructured.Unstructured, o ApplyOptions, created createdSet) error {
	if o.Kube == nil {
		return errors.New("install: ApplyOptions.Kube is required to wait for the webhook")
	}
	wo := WaitOptions{Kube: o.Kube, Namespace: o.Namespace, Timeout: o.Timeout, Out: o.Out, Reach: o.Reach}
	if _, ready := webhookState(ctx, wo); ready && o.Wait { // a re-install: it already answers
		return applyOne(ctx, u, o, created)
	}
	open, err := FailOpen(u)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "ValidatingWebhookConfiguration %s: failurePolicy Ignore until the webhook answers, so that nothing is refused while it starts\n", u.GetName())
	if err := applyOne(ctx, open, o, created); err != nil {
		return err
	}
	if !o.Wait {
		fmt.Fprintf(o.Out, "not waiting (--wait=false): the webhook fails open (failurePolicy Ignore) until you run this install again with --wait once it runs\n")
		return nil
	}
	if err := WaitForWebhook(ctx, wo); err != nil {
		return fmt.Errorf("install: %w; ValidatingWebhookConfiguration %s stays failurePolicy Ignore (it refuses nothing): fix the cause (kubectl -n %s describe pods -l app.kubernetes.io/name=%s) and run this install again",
			err, u.GetName(), o.Namespace, webhookName)
	}
	fmt.Fprintf(o.Out, "ValidatingWebhookConfiguration %s: the webhook answers; applying it as rendered (failurePolicy Fail)\n", u.GetName())
	return applyOne(ctx, u, o, created)
}

func applyOne(ctx context.Context, u *unstructured.Unstructured, o ApplyOptions, created createdSet) error {
	gvk := u.GroupVersionKind()
	ref := gvk.Kind + " " + u.GetName()
	if u.GetNamespace() != "" {
		ref = gvk.Kind + " " + u.GetNamespace() + "/" + u.GetName()
	}
	m, err := o.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil && o.DryRun && meta.IsNoMatchError(err) && created.crds[gvk.GroupKind()] {
		fmt.Fprintf(o.Out, "%s not checked (server dry run): its CustomResourceDefinition is part of this install, and a dry run creates nothing\n", ref)
		return nil
	}
	if err != nil {
		hint := ""
		if gvk.Group == "cert-manager.io" {
			hint = ": install cert-manager first, or leave out --cert-manager to let the webhook bootstrap its own certificate"
		}
		return fmt.Errorf("install: %s: the cluster does not serve %s%s (%v)", ref, gvk.GroupVersion().WithKind(gvk.Kind), hint, err)
	}
	var client dynamic.ResourceInterface = o.Dynamic.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		client = o.Dynamic.Resource(m.Resource).Namespace(u.GetNamespace())
	}
	opts := metav1.ApplyOptions{FieldManager: FieldManager, Force: true}
	suffix := "serverside-applied"
	if o.DryRun {
		opts.DryRun = []string{metav1.DryRunAll}
		suffix += " (server dry run)"
	}
	if _, err := client.Apply(ctx, u.GetName(), u, opts); err != nil {
		if o.DryRun && apierrors.IsNotFound(err) && created.namespaces[u.GetNamespace()] {
			fmt.Fprintf(o.Out, "%s not checked (server dry run): namespace %s is part of this install, and a dry run creates nothing\n", ref, u.GetNamespace())
			return nil
		}
		return fmt.Errorf("install: apply %s: %w", ref, err)
	}
	kind := strings.ToLower(gvk.Kind)
	if gvk.Group != "" {
		kind += "." + gvk.Group
	}
	fmt.Fprintf(o.Out, "%s/%s %s\n", kind, u.GetName(), suffix)
	return nil
}

// createdSet is what an install creates that later objects of the same
// install need: a server dry run cannot check an object in a Namespace, or
// of a kind, that only this install would create.
type createdSet struct {
	namespaces map[string]bool
	crds       map[schema.GroupKind]bool
}

func createdByInstall(objs []*unstructured.Unstructured) createdSet {
	c := createdSet{namespaces: map[string]bool{}, crds: map[schema.GroupKind]bool{}}
	for _, u := range objs {
		switch u.GetKind() {
		case "Namespace":
			c.namespaces[u.GetName()] = true
		case "CustomResourceDefinition":
			group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
			kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
			c.crds[schema.GroupKind{Group: group, Kind: kind}] = true
		}
	}
	return c
}
