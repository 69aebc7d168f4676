package promote

import "errors"

// Sentinel errors; returned errors wrap them.
var (
	// ErrNothingToPromote: the target already has everything the source has.
	ErrNothingToPromote = errors.New("nothing to promote")
	// ErrNothingToRollBack: the environment's folder at the revision is what
	// it is now.
	ErrNothingToRollBack = errors.New("nothing to roll back")
	// ErrDirty: the working tree has uncommitted changes.
	ErrDirty = errors.New("uncommitted changes")
	// ErrSameEnvironment: FROM and TO are the same environment.
	ErrSameEnvironment = errors.New("same environment")
	// ErrCheckFailed: the target does not pass check after the change.
	ErrCheckFailed = errors.New("check failed")
	// ErrReseal: a SealedSecret would be copied into a namespace or name it
	// was not sealed for.
	ErrReseal = errors.New("SealedSecrets must be re-sealed")
	// ErrRule: a promotion rule of gitward.yaml cannot be applied.
	ErrRule = errors.New("promotion rule")
	// ErrLive: what the cluster runs cannot be determined.
	ErrLive = errors.New("live commit")
)
