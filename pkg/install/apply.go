package install

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
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
	// Out receives one line per object, like kubectl apply.
	Out io.Writer
}

// Apply server-side-applies r's objects (forcing conflicts: install owns
// them): Namespaces and CRDs first, then the rest, what guards admission
// (the ValidatingWebhookConfiguration, the ValidatingAdmissionPolicy and its
// binding) last. It stops at the first failure.
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
			if err := applyOne(ctx, u, o, created); err != nil {
				return err
			}
		}
	}
	return nil
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
