//go:build linux

package localcluster

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestProcessStop(t *testing.T) {
	tests := []struct {
		name   string
		script string
	}{
		{name: "stops on SIGTERM", script: "echo started; exec sleep 600"},
		// A shell that ignores SIGTERM and waits on a child in its group:
		// stop escalates to SIGKILL for the whole group.
		{name: "killed after grace", script: "trap '' TERM; echo started; sleep 600 & wait; wait"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sp := newSpawner()
			defer sp.close()
			dir := t.TempDir()
			p, err := startProcess(sp, processSpec{
				name: "sh", binary: "/bin/sh", args: []string{"-c", tc.script},
				dir: dir, logPath: filepath.Join(dir, "sh.log"),
			})
			if err != nil {
				t.Fatalf("startProcess: %v", err)
			}
			waitForLog(t, p, "started")
			pgid, err := syscall.Getpgid(p.pid())
			if err != nil || pgid != p.pid() {
				t.Errorf("process group = %d (%v), want its own group %d", pgid, err, p.pid())
			}
			p.stop(200 * time.Millisecond)
			if !p.exited() {
				t.Fatalf("process %d still runs after stop", p.pid())
			}
			if live := liveGroupMembers(t, p.pid()); len(live) > 0 {
				t.Errorf("process group %d still has live members %v after stop", p.pid(), live)
			}
			p.stop(time.Second) // idempotent
		})
	}
}

func TestProcessExitError(t *testing.T) {
	sp := newSpawner()
	defer sp.close()
	dir := t.TempDir()
	p, err := startProcess(sp, processSpec{
		name: "failing", binary: "/bin/sh", args: []string{"-c", "echo first; echo bind: address already in use; exit 3"},
		dir: dir, logPath: filepath.Join(dir, "failing.log"),
	})
	if err != nil {
		t.Fatalf("startProcess: %v", err)
	}
	<-p.done
	err = p.exitError()
	if !errors.Is(err, ErrProcessExited) {
		t.Errorf("exitError = %v, want ErrProcessExited", err)
	}
	for _, want := range []string{"failing", "exit status 3", "first", "failing.log"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("exitError %q does not mention %q", err, want)
		}
	}
	if !isAddrInUse(p.tail()) {
		t.Errorf("tail %q: port race not detected", p.tail())
	}
}

func TestTailFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.log")
	var b strings.Builder
	for b.Len() < 3*tailBytes {
		b.WriteString("0123456789 a line of log\n")
	}
	b.WriteString("the last line\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	got := tailFile(path)
	if len(got) > tailBytes || !strings.HasSuffix(got, "the last line") || !strings.HasPrefix(got, "0123456789") {
		t.Errorf("tailFile: %d bytes, starting %.20q, ending %q", len(got), got, got[max(len(got)-20, 0):])
	}
	if got := tailFile(filepath.Join(t.TempDir(), "missing.log")); !strings.Contains(got, "cannot read") {
		t.Errorf("tailFile(missing) = %q", got)
	}
}

// waitForLog waits until the process's log contains s (no deadline: the
// test's own timeout bounds it).
func waitForLog(t *testing.T, p *process, s string) {
	t.Helper()
	for !strings.Contains(p.tail(), s) {
		if p.exited() {
			t.Fatalf("%s exited before logging %q: %s", p.name, s, p.tail())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// liveGroupMembers lists the processes of group pgid that are not zombies
// (an orphaned zombie waits for init to reap it).
func liveGroupMembers(t *testing.T, pgid int) []int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	var live []int
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // exited meanwhile
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces.
		fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(fields) < 3 || fields[0] == "Z" || fields[2] != strconv.Itoa(pgid) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
		live = append(live, pid)
	}
	return live
}
