// Package check benchmarks `git gitops check`: 2,000 rendered objects
// (/work/shared/bench/gen-objects.py: ConfigMaps, Deployments, headless
// Services) against the 20 Kyverno policies in policies/ (pattern,
// anyPattern, deny, foreach, preconditions, and CEL ValidatingPolicy).
//
//	go test ./bench/check -run '^$' -bench . -benchtime 3x
//
// run.sh times the whole command on a generated repository.
package check
