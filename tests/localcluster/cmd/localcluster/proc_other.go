//go:build !linux

package main

import "syscall"

type procInfo struct {
	pid  int
	args []string
}

// alive reports whether pid runs.
func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// isDaemon cannot check the arguments without /proc: any live pid matches.
func isDaemon(pid int, _ []string) bool { return alive(pid) }

// leftovers cannot scan without /proc; children die with the daemon on
// Linux only.
func leftovers(string) []procInfo { return nil }
