package cmd

import (
	"github.com/spf13/cobra"

	"github.com/gitward/gitward/pkg/admit"
)

// IdentityFlags are the identities the decision treats apart from people:
// controllers whose owned objects are theirs to write, and the agent.
type IdentityFlags struct {
	ControllerUsers  []string
	ControllerGroups []string
	AgentUsers       []string
	MaxRenders       int
}

// addIdentityFlags binds the identity flags.
func (o *ServeOptions) addIdentityFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&o.ControllerUsers, "controller-user", o.ControllerUsers,
		"identity of a controller (sealed-secrets, cert-manager, Argo Rollouts) whose writes to objects it owns through a controller ownerReference are not checked (repeatable); an ownerReference takes an object out of scope for nobody else")
	f.StringArrayVar(&o.ControllerGroups, "controller-group", o.ControllerGroups, "group of controller identities, as --controller-user (repeatable)")
	f.StringArrayVar(&o.AgentUsers, "agent-user", o.AgentUsers,
		"identity of the gitward agent, the only one allowed to write with its field manager (repeatable; default "+admit.DefaultAgent().Users[0]+")")
	f.IntVar(&o.MaxRenders, "max-renders", o.MaxRenders, "renderings of commits other than the head that requests may start at once; more wait within their deadline")
}

// identities fills d's controller and agent identities from the flags.
func (o *ServeOptions) identities(d *admit.Decider) {
	d.Controllers = admit.Exemptions{Users: o.ControllerUsers, Groups: o.ControllerGroups}
	if len(o.AgentUsers) > 0 {
		d.Agent = admit.Exemptions{Users: o.AgentUsers}
	}
}
