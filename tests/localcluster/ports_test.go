package localcluster

import (
	"net"
	"strconv"
	"testing"
)

func TestFreePorts(t *testing.T) {
	ports, err := freePorts(5)
	if err != nil {
		t.Fatalf("freePorts: %v", err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if p <= 0 || p > 65535 {
			t.Errorf("port %d out of range", p)
		}
		if seen[p] {
			t.Errorf("port %d returned twice in %v", p, ports)
		}
		seen[p] = true
		l, err := net.Listen("tcp", net.JoinHostPort(loopback, strconv.Itoa(p)))
		if err != nil {
			t.Errorf("port %d is not free after freePorts returned: %v", p, err)
			continue
		}
		_ = l.Close()
	}
}

func TestIsAddrInUse(t *testing.T) {
	tests := []struct {
		name string
		log  string
		want bool
	}{
		{"etcd", `{"level":"fatal","msg":"listen tcp 127.0.0.1:2379: bind: address already in use"}`, true},
		{"apiserver", "failed to listen on 127.0.0.1:6443: listen tcp 127.0.0.1:6443: bind: address already in use", true},
		{"other", "error: unknown flag: --nope", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := isAddrInUse(tc.log); got != tc.want {
				t.Errorf("isAddrInUse(%q) = %v, want %v", tc.log, got, tc.want)
			}
		})
	}
}
