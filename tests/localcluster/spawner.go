package localcluster

import (
	"errors"
	"os/exec"
	"runtime"
)

// errSpawnerClosed means a process was started after the cluster stopped.
var errSpawnerClosed = errors.New("localcluster: cluster is stopped")

// spawner starts child processes from one goroutine locked to its own OS
// thread. On Linux a child's Pdeathsig fires when the thread that forked it
// exits, not when the process does; Go may end a thread at any time (for
// example when another goroutine that locked it returns), so children are
// forked from a thread that lives exactly as long as the cluster.
type spawner struct {
	reqs chan spawnRequest
	quit chan struct{}
	done chan struct{}
}

type spawnRequest struct {
	cmd  *exec.Cmd
	errc chan error
}

func newSpawner() *spawner {
	s := &spawner{
		reqs: make(chan spawnRequest),
		quit: make(chan struct{}),
		done: make(chan struct{}),
	}
	go s.loop()
	return s
}

func (s *spawner) loop() {
	// Never unlocked: the thread exits with this goroutine, after the
	// children are gone.
	runtime.LockOSThread()
	defer close(s.done)
	for {
		select {
		case r := <-s.reqs:
			r.errc <- r.cmd.Start()
		case <-s.quit:
			return
		}
	}
}

// start runs cmd.Start on the spawner's thread.
func (s *spawner) start(cmd *exec.Cmd) error {
	r := spawnRequest{cmd: cmd, errc: make(chan error, 1)}
	select {
	case s.reqs <- r:
		return <-r.errc
	case <-s.done:
		return errSpawnerClosed
	}
}

// close ends the spawner's thread. Call it only once every child is gone:
// on Linux their Pdeathsig fires when the thread exits.
func (s *spawner) close() {
	select {
	case <-s.quit:
	default:
		close(s.quit)
	}
	<-s.done
}
