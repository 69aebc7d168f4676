// Package gitview is the webhook's view of one source in Git: a clone of the
// tracked branch, kept fresh by polling, and a bounded per-commit cache of
// renderings indexed by (group, kind, namespace, name).
//
// A new head is rendered as soon as it is fetched and only then published,
// so an admission request about the head is a map look-up. A commit the
// view does not know (pushed a moment ago, or never on the branch) makes it
// fetch once, within FetchTimeout and at most once per MinFetchInterval, so
// that a flood of made-up commit ids cannot turn into a flood of fetches.
//
// *View implements admit.Source.
package gitview
