// Package gittest builds real Git repositories for tests and serves them over
// HTTP on the loopback interface.
//
// Everything here drives the git command-line tool, so the fixtures are what
// a person (or a Git server) would produce, not what go-git thinks Git does.
// The package imports testing and is meant only for _test.go files:
//
//	src := gittest.NewRepo(t)
//	c1 := src.WriteFile("app/deploy.yaml", "kind: Deployment\n").Commit("first")
//	bare := src.Bare()              // a bare copy, like a hosted repository
//	url := gittest.ServeHTTP(t, bare) // http://127.0.0.1:port/<name>.git
//	src.WriteFile("app/deploy.yaml", "kind: StatefulSet\n").Commit("second")
//	src.Push(bare, "main")          // the server now has the new head
//
// Commits carry fixed, increasing author and committer dates and a fixed
// identity, so a fixture built the same way always has the same hashes.
// Git's system and global configuration are ignored.
package gittest
