package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// componentNames are the binaries a cluster runs.
var componentNames = []string{"etcd", "kube-apiserver", "kube-controller-manager"}

// procInfo is what /proc says about a live (not zombie) process.
type procInfo struct {
	pid  int
	args []string
}

// readProc returns the command line of pid, or false if it does not run or
// is a zombie (an orphan that init has not reaped yet).
func readProc(pid int) (procInfo, bool) {
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return procInfo{}, false
	}
	// pid (comm) state ...; comm may hold spaces and parentheses.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(fields) == 0 || fields[0] == "Z" || fields[0] == "X" {
		return procInfo{}, false
	}
	cmdline, err := os.ReadFile(filepath.Join(dir, "cmdline"))
	if err != nil {
		return procInfo{}, false
	}
	args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
	return procInfo{pid: pid, args: args}, true
}

// alive reports whether pid runs and is not a zombie.
func alive(pid int) bool {
	_, ok := readProc(pid)
	return ok
}

// isDaemon reports whether pid is a live process whose arguments (after the
// program) include every one of args; a reused pid does not match.
func isDaemon(pid int, args []string) bool {
	p, ok := readProc(pid)
	if !ok || len(p.args) < 2 {
		return false
	}
	for _, a := range args {
		if !slices.Contains(p.args[1:], a) {
			return false
		}
	}
	return true
}

// leftovers returns the live etcd, kube-apiserver and kube-controller-manager
// processes whose arguments name a file inside dir.
func leftovers(dir string) []procInfo {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []procInfo
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		p, ok := readProc(pid)
		if !ok || len(p.args) == 0 || !slices.Contains(componentNames, filepath.Base(p.args[0])) {
			continue
		}
		if slices.ContainsFunc(p.args[1:], func(a string) bool { return strings.Contains(a, dir+string(filepath.Separator)) }) {
			out = append(out, p)
		}
	}
	return out
}
