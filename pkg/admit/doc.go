// Package admit decides whether a change to a Kubernetes object is what Git
// says. It is the heart of gitward-webhook and a pure function of its inputs:
// an admission [Request], the live object, and Git's view of each source
// (the [Source] interface, implemented over pkg/gitrepo and pkg/render
// elsewhere). It performs no I/O of its own beyond what that interface does.
//
// # Rules
//
// A request is first scoped (see [Decider.Decide]): CONNECT, status and other
// subresources (except scale), exempt identities (kube-controller-manager,
// nodes, the kube-system controller service accounts) and objects a
// controller owns pass untouched. An object is managed when it carries the
// source label [provenance.LabelSource] (on UPDATE and DELETE the live
// object's label wins, so removing the label is itself a change to a managed
// object), or when a person creates it in a managed namespace.
//
// CREATE and UPDATE of a managed object pass only if
//
//  1. it carries a well-formed commit annotation C;
//  2. C is on the tracked branch (the source fetches once on a miss);
//  3. C is not older than the live object's commit (no rollback outside Git);
//  4. Git's rendering at C declares the object, and every field it declares
//     has the requested value, compared semantically (quantities such as
//     500m and 0.5, integers and floats, empty and absent);
//  5. on UPDATE, every path the request changes relative to the live object
//     is declared by Git at C, is server-managed metadata, is matched by an
//     ignore rule, or is a field Git declared at the live commit and has
//     since stopped declaring.
//
// A scale subresource request is checked as the UPDATE of the parent object
// with spec.replicas set to the requested value.
//
// DELETE of a managed object passes only if Git at the head of the tracked
// branch no longer declares it; before denying, the source is refreshed once
// so that a delete racing a just-pushed commit is not denied on a stale view.
//
// Each rule returns (warnings, field.ErrorList) and the rules run as a chain;
// a denial names the object, the source, the commit, each differing field
// with Git's value and the requested one, and where to change it in Git.
//
// # Reading the request lazily
//
// A caller that holds the request's objects as JSON sets [Request.Lazy] and
// decodes only their apiVersion, kind and metadata. The content rules then
// compare Git's declared fields with the object's JSON, and object with
// oldObject where their bytes differ, and decode the objects whole only when
// that does not show a match; the decision is the same either way (checked
// by TestLazyMatchesWhole and FuzzLazy). On the common request, the agent
// applying Git's content, nothing beyond metadata is decoded.
//
// # Modes
//
// In [ModeEnforce] a failing request is denied. In [ModeWarn] it is admitted
// with the denial as an admission warning and audit annotations. Members of a
// break-glass group are admitted with a warning, audit annotations and
// [Decision.BreakGlass] set, so that the caller records an Event.
package admit
