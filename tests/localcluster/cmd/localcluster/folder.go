package main

import "github.com/spf13/pflag"

// folder is the cluster folder every subcommand works on: its --dir flag
// and, once completed, the files the command manages in it.
type folder struct {
	Dir string

	state state
}

// newFolder returns the default folder, defaultDir.
func newFolder() folder { return folder{Dir: defaultDir} }

// addDirFlag binds --dir with usage.
func (f *folder) addDirFlag(flags *pflag.FlagSet, usage string) {
	flags.StringVar(&f.Dir, "dir", f.Dir, usage)
}

// Complete resolves the cluster folder.
func (f *folder) Complete() error {
	var err error
	f.state, err = newState(f.Dir)
	return err
}
