// Package version reports which build of gitward is running. The values are
// set at link time by the Makefile (-ldflags -X), so a binary built with plain
// `go build` says "dev".
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// These are variables only because the linker can set nothing else.
var (
	version = "dev"
	commit  = ""
)

// Info describes one build.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// Get returns the build information, falling back to the VCS stamp Go
// records when the linker did not set a commit.
func Get() Info {
	info := Info{
		Version:   version,
		Commit:    commit,
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
	}
	if info.Commit == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" {
					info.Commit = s.Value
				}
			}
		}
	}
	return info
}

// String is the one-line form printed by every binary's version command.
func (i Info) String() string {
	s := fmt.Sprintf("%s (%s, %s)", i.Version, i.GoVersion, i.Platform)
	if i.Commit != "" {
		s = fmt.Sprintf("%s commit %s (%s, %s)", i.Version, i.Commit, i.GoVersion, i.Platform)
	}
	return s
}
