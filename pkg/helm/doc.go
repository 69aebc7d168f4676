// Package helm renders Helm charts in-process with Helm's own Go SDK
// (helm.sh/helm/v3 v3.21.4), producing the bytes `helm template` prints,
// without a helm binary and without the network.
//
// # API
//
//	out, err := helm.Render(ctx, helm.Chart{FS: tree, Dir: "charts/guestbook"},
//		helm.Release{Name: "guestbook", Namespace: "prod",
//			ValuesFiles: []string{"charts/guestbook/values-prod.yaml"}},
//		helm.Limits{})
//
// Chart names a chart folder in an fs.FS (a Git tree, os.Root's FS); Load
// reads it as loader.LoadDir does. LoadArchive reads a .tgz (from a chart
// repository or OCI registry) into a *chart.Chart, and RenderChart renders
// any loaded chart, so an archive held in memory renders without touching
// disk. ParseValues decodes a values document the way `-f` does.
//
// Render is a client-only dry-run install, as `helm template` is: the
// chart's manifests in Helm's install order, each "---\n# Source: <file>",
// then its hooks (unless SkipHooks); NOTES.txt is not printed. Values are
// merged as `-f a -f b` merges them.
//
// # Security
//
//   - Only files below Chart.Dir are read; a symlink is followed only when
//     its target stays below Chart.Dir (ErrEscapes), and only through the
//     given fs.FS (which confines it to the repository). .Files in
//     templates sees only those files.
//   - No network and no cluster: `lookup` returns an empty map (client-only
//     mode), getHostByName is off, and a values.schema.json $ref to an
//     http(s) or file URL fails with ErrOffline instead of being fetched
//     or read from disk (Helm's own validator would do both).
//   - Bounded cost (Limits): archive size, file count, file and chart size,
//     values size, depth and node count (YAML anchor bombs), output size
//     and render time (ErrTooLarge, ErrTimeout). Helm's engine limits
//     include/tpl recursion to 1000 levels. Helm's engine does not watch
//     a context, so on timeout the render's goroutine is abandoned and
//     finishes on its own.
//
// Errors name the chart (its folder, or its Chart.yaml name) and the file.
package helm
