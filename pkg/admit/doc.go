// Package admit decides whether a change to a Kubernetes object is what Git
// says. It is the heart of gitward-webhook and a pure function of its inputs:
// an admission [Request], the live object, and Git's view of each source
// (the [Source] interface, implemented over pkg/gitrepo and pkg/render
// elsewhere). It performs no I/O of its own beyond what that interface does.
//
// # Scope
//
// A request is first scoped (see [Decider.Decide]). Out of scope are only:
// CONNECT (exec, attach, port-forward change no object), subresources that
// change no stored object (serviceaccounts/token), exempt identities
// (the system controllers, by exact name; see pkg/admitscope), and objects a
// controller owns when that controller's identity ([Decider.Controllers])
// writes them: an ownerReference anyone can write takes nothing out of
// scope by itself. In scope is every object carrying the source label
// [provenance.LabelSource] (on UPDATE and DELETE the live object's label
// wins, so removing the label is itself a change to a managed object) and
// every object of every kind in a managed namespace, labelled or not. A
// label naming a source the webhook does not track is denied.
//
// Subresources that carry the whole parent (status, ephemeralcontainers,
// resize, approval) are checked as an UPDATE of the parent: the status
// strategy has reset what /status may not change, and what it keeps
// (annotations, ownerReferences, finalizers) must be what Git says. A scale
// request is the UPDATE of the parent with spec.replicas set; an eviction is
// the DELETE of the pod; any other subresource is denied in scope.
//
// # Rules
//
// CREATE and UPDATE of a managed object pass only if
//
//  1. it does not write as the agent's field manager from another identity
//     (named in the request's options, or growing that manager's fields);
//  2. it carries a well-formed commit annotation C;
//  3. C is on the first-parent history of the tracked branch (the source
//     fetches once on a miss);
//  4. on UPDATE, the live object's commit is C or an ancestor of C; a live
//     commit the branch does not have is no pass;
//  5. Git's rendering at C declares the object, and every leaf Git declares
//     (normalised as the API server stores it, so zero values and empty maps
//     count) has exactly the requested value;
//  6. every leaf the request changes relative to the live object (every
//     leaf, on CREATE) is declared by Git at C with that value, is
//     server-managed metadata or an ignore rule's, was added by the API
//     server itself (a default or a mutating webhook's: a leaf no
//     metadata.managedFields entry owns, which a requester cannot arrange
//     for what it adds), or is removed where Git declared it at the live
//     commit and stopped, or where nobody owned it;
//  7. a digest annotation, when present, is Git's digest of the object at C.
//
// A consequence of 6: an object created or extended by a write that is not
// a server-side apply (kubectl create, client-side apply) owns the API
// server's defaults too, and is denied unless Git declares them. The agent
// and `kubectl gitops sync` use server-side apply.
//
// DELETE of a managed object passes only if Git at the head of the tracked
// branch no longer declares it; before denying, the source is refreshed once
// so that a delete racing a just-pushed commit is not denied on a stale view.
//
// Each rule returns (warnings, field.ErrorList) and the rules run as a chain;
// a denial names the object, the source, the commit, each differing field
// with Git's value and the requested one, and where to change it in Git.
//
// # Modes
//
// In [ModeEnforce] a failing request is denied. In [ModeWarn] it is admitted
// with the denial as an admission warning and audit annotations. Members of a
// break-glass group are admitted with a warning, audit annotations and
// [Decision.BreakGlass] set, so that the caller records an Event.
package admit
