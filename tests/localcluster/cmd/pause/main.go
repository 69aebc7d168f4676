// Command pause is the node's Pod sandbox process (what registry.k8s.io/pause
// is elsewhere): it holds the Pod's namespaces, reaps orphans when it is the
// Pod's PID 1, and exits on SIGINT or SIGTERM. tests/localcluster builds it
// into the image containerd's CRI uses as sandbox_image, so a node needs no
// registry.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range sigs {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			var ws syscall.WaitStatus
			if pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil); pid <= 0 || err != nil {
				break
			}
		}
	}
}
