// Package cli holds command wiring shared by gitward's four binaries: the
// root command ([NewCmdRoot]) and its `version` command, exit codes carried
// by errors ([ExitError], as kubectl diff's 1 for "differences found"), the
// Complete → Validate → Run sequence every command follows ([Steps]), and
// cluster clients built from kubectl's configuration flags ([NewClients]).
// It holds no product logic.
package cli
