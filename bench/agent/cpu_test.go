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
func procCPU(pid int) time.Duration { return statCPU(pid, 11) }

// childrenCPU is the CPU time of this process's waited-for children
// (cutime+cstime): kubectl.
func childrenCPU() time.Duration { return statCPU(0, 13) }

// statCPU adds field i and i+1 of /proc/<pid>/stat, counted after the
// command name.
func statCPU(pid, i int) time.Duration {
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
	if len(f) < i+2 {
		return 0
	}
	// After the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13)
	// cstime(14).
	ut, _ := strconv.ParseInt(f[i], 10, 64)
	st, _ := strconv.ParseInt(f[i+1], 10, 64)
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
	s.procs["kubectl"] = childrenCPU()
	return s
}

// cpuDelta describes the CPU each process used between a and b.
type cpuDelta struct {
	wall                             time.Duration
	apiserver, etcd, kcm, c, kubectl time.Duration
	load                             string
}

func delta(a, b cpuSnap) cpuDelta {
	d := func(n string) time.Duration { return b.procs[n] - a.procs[n] }
	return cpuDelta{wall: b.at.Sub(a.at), apiserver: d(localcluster.KubeAPIServer), etcd: d(localcluster.Etcd),
		kcm: d(localcluster.KubeControllerManager), c: d("client"), kubectl: d("kubectl"), load: b.load}
}

// total is the CPU all processes used.
func (d cpuDelta) total() time.Duration { return d.apiserver + d.etcd + d.kcm + d.c + d.kubectl }

func (d cpuDelta) String() string {
	r := func(x time.Duration) time.Duration { return x.Round(10 * time.Millisecond) }
	client := fmt.Sprintf("client %5s", r(d.c))
	if d.kubectl > 0 {
		client = fmt.Sprintf("children (kubectl, git) %5s + this process %s", r(d.kubectl), r(d.c))
	}
	return fmt.Sprintf("wall %6s  cpu %6s = apiserver %6s + etcd %5s + kcm %5s + %s  (load %s)",
		d.wall.Round(time.Millisecond), r(d.total()), r(d.apiserver), r(d.etcd), r(d.kcm), client, d.load)
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
