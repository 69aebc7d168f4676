package localcluster

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cgroupMount is where the cgroup hierarchies are mounted.
const cgroupMount = "/sys/fs/cgroup"

// nodeCgroups is the kubelet's cgroupRoot: a folder of the test process's
// own cgroup, made in every hierarchy before the kubelet starts (the kubelet
// requires it to exist) and removed on Stop with everything the kubelet and
// runc made below it (kubepods, the QoS classes, one per Pod and
// container).
type nodeCgroups struct {
	root    string   // cgroupRoot, e.g. /process_api/<id>/localcluster-node-<pid>
	created []string // folders we made, absolute, parents first
}

// ownCgroup returns the test process's cgroup path: the first non-root path
// in /proc/self/cgroup (on a v1 hierarchy, the one a supervisor placed it
// in), or "/".
func ownCgroup() string {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return "/"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		parts := strings.SplitN(s.Text(), ":", 3)
		if len(parts) == 3 && parts[2] != "/" && parts[2] != "" {
			return parts[2]
		}
	}
	return "/"
}

// hierarchies returns the mounted cgroup hierarchies (one folder per v1
// controller, "unified" for a v2 mount in a hybrid layout, or the mount
// itself on a pure v2 system).
func hierarchies() []string {
	if _, err := os.Stat(filepath.Join(cgroupMount, "cgroup.controllers")); err == nil {
		return []string{cgroupMount}
	}
	entries, _ := os.ReadDir(cgroupMount)
	var out []string
	for _, e := range entries {
		p := filepath.Join(cgroupMount, e.Name())
		if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
			out = append(out, p)
		}
	}
	return out
}

// makeNodeCgroups creates cgroupRoot in every hierarchy.
func makeNodeCgroups(name string) (*nodeCgroups, error) {
	c := &nodeCgroups{root: filepath.Join(ownCgroup(), name)}
	for _, h := range hierarchies() {
		parts := strings.Split(strings.Trim(c.root, "/"), "/")
		p := h
		for _, part := range parts {
			parent := p
			p = filepath.Join(p, part)
			if _, err := os.Stat(p); err == nil {
				continue
			}
			if err := os.Mkdir(p, 0o755); err != nil {
				c.remove(time.Second)
				return nil, fmt.Errorf("localcluster: creating cgroup %s: %w", p, err)
			}
			c.created = append(c.created, p)
			// A new cpuset is empty; a process can join it only once it
			// has CPUs and memory nodes.
			if filepath.Base(h) == "cpuset" {
				for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
					if b, err := os.ReadFile(filepath.Join(parent, f)); err == nil {
						_ = os.WriteFile(filepath.Join(p, f), b, 0o644)
					}
				}
			}
		}
	}
	return c, nil
}

// kill sends SIGKILL to every process in the cgroups below cgroupRoot.
func (c *nodeCgroups) kill() (alive bool) {
	for _, h := range hierarchies() {
		_ = filepath.WalkDir(filepath.Join(h, c.root), func(p string, d os.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			b, err := os.ReadFile(filepath.Join(p, "cgroup.procs"))
			if err != nil {
				return nil
			}
			for _, f := range strings.Fields(string(b)) {
				if pid, err := strconv.Atoi(f); err == nil && pid != os.Getpid() {
					_ = syscall.Kill(pid, syscall.SIGKILL)
					alive = true
				}
			}
			return nil
		})
	}
	return alive
}

// remove kills what is left in cgroupRoot and removes its folders, deepest
// first, and the parents we created. A cgroup folder is removed with rmdir
// (its files are not real files).
func (c *nodeCgroups) remove(grace time.Duration) error {
	deadline := time.Now().Add(grace)
	for c.kill() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	var left []string
	for _, h := range hierarchies() {
		var dirs []string
		_ = filepath.WalkDir(filepath.Join(h, c.root), func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		slices.Reverse(dirs)
		for _, d := range dirs {
			if !rmdirRetry(d, deadline) {
				left = append(left, d)
			}
		}
	}
	for i := len(c.created) - 1; i >= 0; i-- {
		_ = syscall.Rmdir(c.created[i]) // gone already, or a parent others use
	}
	if len(left) > 0 {
		return fmt.Errorf("localcluster: cgroups left behind (busy): %s", strings.Join(left, ", "))
	}
	return nil
}

// rmdirRetry removes a cgroup folder, retrying while it is busy (a killed
// process leaves its cgroup a moment after it died).
func rmdirRetry(d string, deadline time.Time) bool {
	for {
		err := syscall.Rmdir(d)
		if err == nil || os.IsNotExist(err) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}
