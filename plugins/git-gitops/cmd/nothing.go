package cmd

import (
	"errors"
	"fmt"
	"io"

	"github.com/gitward/gitward/pkg/promote"
)

// nothingToDo turns "nothing to promote" and "nothing to roll back" into
// success: the environment already is what was asked, so a CI job that
// promotes on every merge must not fail (exit 2 is for usage errors and
// failures). The reason still goes to stderr.
func nothingToDo(err error, errOut io.Writer) error {
	if errors.Is(err, promote.ErrNothingToPromote) || errors.Is(err, promote.ErrNothingToRollBack) {
		fmt.Fprintln(errOut, err)
		return nil
	}
	return err
}
