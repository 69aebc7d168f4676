//go:build unix && !linux

package localcluster

import "syscall"

// childSysProcAttr puts a child in its own process group. This platform has
// no Pdeathsig: a child outlives an owner killed before Stop.
func childSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
