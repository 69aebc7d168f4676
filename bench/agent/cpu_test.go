//go:build e2e

package agent_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gitward/gitward/tests/localcluster"
)

// clkTck is the kernel's clock tick (USER_HZ), the unit of /proc/<pid>/stat
// CPU times; 100 on every Linux this runs on.
const clkTck = 100

// cpuSnap holds the CPU time used so far by the control plane's processes
// and by this test process.
type cpuSnap struct {
	at    time.Time
	procs map[string]time.Duration
	load  string
}

// procCPU reads utime+stime of pid (0: this process) from /proc.
func procCPU(pid int) time.Duration {
	p := "/proc/self/stat"
	if pid > 0 {
		p = "/proc/" + strconv.Itoa(pid) + "/stat"
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return 0
	}
	// The command name is in parentheses and may hold spaces: cut after it.
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	// After the name: state(0) ppid(1) ... utime(11) stime(12).
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / clkTck
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func snap(c *localcluster.Cluster) cpuSnap {
	s := cpuSnap{at: time.Now(), procs: map[string]time.Duration{}, load: loadavg()}
	for _, p := range c.Processes() {
		s.procs[p.Name] = procCPU(p.PID)
	}
	s.procs["client"] = procCPU(0)
	return s
}

// cpuDelta describes the CPU each process used between a and b.
type cpuDelta struct {
	wall                    time.Duration
	apiserver, etcd, kcm, c time.Duration
	load                    string
}

func delta(a, b cpuSnap) cpuDelta {
	d := func(n string) time.Duration { return b.procs[n] - a.procs[n] }
	return cpuDelta{wall: b.at.Sub(a.at), apiserver: d(localcluster.KubeAPIServer), etcd: d(localcluster.Etcd),
		kcm: d(localcluster.KubeControllerManager), c: d("client"), load: b.load}
}

func (d cpuDelta) String() string {
	return fmt.Sprintf("wall %6s  cpu: apiserver %6s etcd %5s kcm %5s client %5s  (load %s)",
		d.wall.Round(time.Millisecond), d.apiserver.Round(10*time.Millisecond), d.etcd.Round(10*time.Millisecond),
		d.kcm.Round(10*time.Millisecond), d.c.Round(10*time.Millisecond), d.load)
}

// waitQuiet waits until the API server uses less than a tenth of a core
// over half a second (the controller manager's work on earlier Deployments
// trickles in at its 20 QPS), or max elapses.
func waitQuiet(c *localcluster.Cluster, max time.Duration) {
	pid := 0
	for _, p := range c.Processes() {
		if p.Name == localcluster.KubeAPIServer {
			pid = p.PID
		}
	}
	for end := time.Now().Add(max); time.Now().Before(end); {
		a := procCPU(pid)
		time.Sleep(500 * time.Millisecond)
		if procCPU(pid)-a < 50*time.Millisecond {
			return
		}
	}
}
