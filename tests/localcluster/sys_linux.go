package localcluster

import "syscall"

// childSysProcAttr puts a child in its own process group and has the kernel
// SIGKILL it when the thread that started it exits (see spawner).
func childSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
