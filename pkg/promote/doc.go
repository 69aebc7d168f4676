// Package promote plans, previews and commits `git gitops promote FROM TO`
// and `git gitops rollback ENV`.
//
// # Promote
//
// NewPlan reads FROM from a commit's tree (HEAD, or with --require-live
// the commit FROM's cluster runs) and edits TO in the working tree:
//
//   - images (promotion.images, default on): for every kustomization file
//     under FROM's folder, the one at the same place under TO's folder gets
//     FROM's images entries — newName, newTag and digest; fields FROM does
//     not set are removed, entries TO lacks are appended;
//   - promotion.configMapLiterals: KEY=value literals of the named
//     configMapGenerator entries;
//   - promotion.yamlPaths: single values inside YAML files (documents
//     paired by kind and name), e.g. a HelmRelease's spec.chart.spec.version;
//   - promotion.files: files or folders copied as they are (folders are
//     mirrored).
//
// Edits go through kyaml. When every edit replaces a one-line scalar (the
// common case: a new tag), the file's bytes are kept and only the scalars
// are spliced in; otherwise kyaml re-encodes the file, keeping comments and
// the sequence indentation style.
//
// Prepare then renders TO before and after (concurrently, from the working
// tree and an in-memory overlay of it; no cluster; "after" once, with
// origins), diffs the two with pkg/diff, and checks that same rendering of
// the result (a Checker, e.g. promotecheck's pkg/check; BuiltinCheck
// refuses render errors and plaintext Secrets). A copied SealedSecret whose rendered
// namespace (or, with strict scope, name) in TO differs from the one it was
// sealed for in FROM is refused with what to re-seal, or left out with
// SkipSealed. Promotion.Commit commits through pkg/worktree, all or
// nothing, with a message listing every move and the trailer
// "Promoted-From: <env>@<commit>".
//
// # Rollback
//
// PrepareRollback restores ENV's own folder to its content at a revision —
// by default the parent of the last first-parent commit that changed the
// folder — leaving bases and other environments alone, and previews and
// checks it the same way. Its commit carries "Rolled-Back-To: <env>@<commit>".
package promote
