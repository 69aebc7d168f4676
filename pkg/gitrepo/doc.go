// Package gitrepo reads Git repositories for gitward with go-git: it opens a
// checkout, clones and fetches a single branch (shallow, bounded by a
// context), resolves revisions, decides ancestry, and reads the tree of any
// commit as an fs.FS without a checkout.
//
// # Clones and fetches
//
// Clone makes a bare, single-branch clone without tags, in memory or in a
// folder. Fetch brings the branch's new head and always follows force-pushes.
// Both stop when their context is done and leave the repository as it was on
// error. Head reads the remote-tracking ref refs/remotes/origin/<branch> in
// bare repositories (every clone) and the local branch refs/heads/<branch>
// in checkouts, each falling back to the other.
//
// CloneOrReuse is for a folder that outlives the process (an agent's work
// folder): it reuses a sound clone of the same URL and branch (CheckClone:
// the refs exist and the head's objects hash to their names) and replaces
// anything else, cloning into a temporary sibling and renaming it into
// place, so a kill never leaves a half-written clone that looks sound.
//
// Transports: file://, http(s):// and ssh:// (and git@host:path). Over
// file:// go-git runs the git-upload-pack program, so git must be installed;
// HTTP(S) and SSH are pure Go. AuthFromFiles builds credentials from mounted
// files (a token for HTTP basic authentication, or an SSH key checked
// against a known_hosts file).
//
// # Shallow history
//
// IsAncestor walks parent links from the descendant. In a shallow clone the
// walk may reach commits whose parents were never fetched; it then returns
// an error wrapping ErrShallowHistory. Callers deepen and ask again:
//
//	ok, err := repo.IsAncestor(c, head)
//	for depth := 50; errors.Is(err, gitrepo.ErrShallowHistory) && depth <= 800; depth *= 2 {
//		if err = repo.Deepen(ctx, depth); err == nil {
//			ok, err = repo.IsAncestor(c, head)
//		}
//	}
//
// Deepen works with every server. FetchCommit fetches one commit by hash,
// which needs a server that advertises allow-reachable-sha1-in-want or
// allow-tip-sha1-in-want (GitHub and GitLab do; plain git needs
// uploadpack.allowReachableSHA1InWant=true, over file:// and HTTP alike);
// otherwise it fails with ErrFetchByHashUnsupported.
//
// # Trees
//
// TreeFS returns a commit's tree as an fs.FS that also implements
// fs.ReadDirFS, fs.ReadFileFS, fs.StatFS and fs.ReadLinkFS. Symbolic links
// are followed only while they stay inside the tree (ErrEscapesTree
// otherwise); submodules are reported, not followed (ErrSubmodule).
//
// # Concurrency
//
// A Repo is safe for concurrent use; it serialises access to go-git's
// storage, which is not. A *object.Commit returned by Commit is plain data;
// its methods that load more objects (Tree, Parents, Files) bypass that lock
// and must not run concurrently with other calls on the Repo.
package gitrepo
