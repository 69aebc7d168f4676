package localcluster

import (
	"fmt"
	"net"
	"strings"
)

// loopback is the only address the cluster listens on.
const loopback = "127.0.0.1"

// freePorts returns n distinct TCP ports that were free on 127.0.0.1 a moment
// ago. All n listeners are held open together so that the ports differ; they
// are closed before returning, so another process may take one before the
// cluster binds it: Start detects that (see isAddrInUse) and retries.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	listeners := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
		if err != nil {
			return nil, fmt.Errorf("localcluster: finding a free port on %s: %w", loopback, err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// isAddrInUse reports whether a component's log shows it lost a port race.
func isAddrInUse(log string) bool {
	return strings.Contains(log, "address already in use")
}
