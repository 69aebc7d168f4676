package admit

// subKind says how a subresource request is checked.
type subKind int

const (
	subNone     subKind = iota // the object itself
	subParent                  // the object sent is the parent, changed (status, ephemeralcontainers, resize, approval)
	subScale                   // a Scale: the parent's spec.replicas
	subEviction                // deletes the pod
	subNoChange                // changes no stored object (serviceaccounts/token)
	subUnknown                 // cannot be checked against Git: denied in scope
)

// classify says how req's subresource is checked. The subresources that
// carry the whole parent as it will be stored (status, whose strategy has
// already reset what /status may not change; ephemeralcontainers; resize;
// approval) are checked as an UPDATE of the parent: whatever they change,
// metadata included, must be what Git says. Any other subresource (binding,
// or one of an aggregated API) cannot be checked against Git and is denied
// in scope: the scheduler, which binds, is exempt.
func classify(req *Request) subKind {
	switch req.SubResource {
	case "":
		return subNone
	case "scale":
		return subScale
	case "token":
		return subNoChange
	case "eviction":
		return subEviction
	case "status", "ephemeralcontainers", "resize", "approval":
		return subParent
	}
	return subUnknown
}
