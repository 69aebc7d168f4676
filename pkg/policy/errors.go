package policy

import "errors"

var (
	// ErrLoad is wrapped by errors that stop a policy file from loading.
	ErrLoad = errors.New("cannot load policies")
	// ErrEvaluate is wrapped by errors of the engine that stop an evaluation.
	ErrEvaluate = errors.New("cannot evaluate policies")
)
