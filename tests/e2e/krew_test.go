//go:build e2e

package e2e

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// krewVersion is the version the test releases under.
const krewVersion = "v0.1.0-e2e"

// TestKrew: the real krew (sigs.k8s.io/krew v0.4.4, built by `make tools`)
// installs kubectl-gitops from the release archive and manifest that
// hack/release.sh builds, offline, and kubectl's plugin discovery then runs
// `kubectl gitops`; krew's validate-krew-manifest accepts the manifests.
func TestKrew(t *testing.T) {
	root, bin := sealRepoRoot(t), sealToolsBin(t)
	for _, tool := range []string{"kubectl", "kubectl-krew", "validate-krew-manifest"} {
		if _, err := os.Stat(filepath.Join(bin, tool)); err != nil {
			t.Fatalf("%s not built: run `make tools` (hack/build-tools-extra.sh): %v", tool, err)
		}
	}
	platform := runtime.GOOS + "/" + runtime.GOARCH
	archiveName := "kubectl-gitops_" + runtime.GOOS + "_" + runtime.GOARCH + ".tar.gz"
	dist := t.TempDir()
	krewRun(t, root, []string{"DIST=" + dist, "PLATFORMS=" + platform, "VERSION=" + krewVersion}, "bash", "hack/release.sh")
	manifest, archive := filepath.Join(dist, "gitops.yaml"), filepath.Join(dist, archiveName)

	t.Run("validate the template", func(t *testing.T) {
		out := krewRun(t, root, nil, filepath.Join(bin, "validate-krew-manifest"), "-manifest", filepath.Join(root, "krew", "gitops.yaml"), "-skip-install")
		krewWant(t, out, "structural validation OK", "no overlapping spec.platform[].selector")
	})

	t.Run("validate the release manifest, installing it", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(root, "LICENSE")); err != nil {
			krewRun(t, root, nil, filepath.Join(bin, "validate-krew-manifest"), "-manifest", manifest, "-skip-install")
			t.Skip("structural validation passed; the install check needs a LICENSE at the repository root (krew wants one in each archive)")
		}
		// validate-krew-manifest downloads each platform's uri with
		// `kubectl krew install`: serve the archive on loopback.
		srv := httptest.NewServer(http.FileServer(http.Dir(dist)))
		defer srv.Close()
		data, err := os.ReadFile(manifest)
		if err != nil {
			t.Fatal(err)
		}
		local := filepath.Join(t.TempDir(), "gitops.yaml")
		served := krewRewriteURIs(string(data), srv.URL)
		if err := os.WriteFile(local, []byte(served), 0o644); err != nil {
			t.Fatal(err)
		}
		out := krewRun(t, root, []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")},
			filepath.Join(bin, "validate-krew-manifest"), "-manifest", local)
		krewWant(t, out, "all 1 spec.platforms installed fine")
	})

	t.Run("krew install offline, then kubectl gitops", func(t *testing.T) {
		krewRoot := t.TempDir()
		env := []string{
			"KREW_ROOT=" + krewRoot,
			"HOME=" + krewRoot,
			"KREW_NO_UPGRADE_CHECK=1",
			"PATH=" + filepath.Join(krewRoot, "bin") + string(os.PathListSeparator) + bin + string(os.PathListSeparator) + "/usr/bin:/bin",
		}
		out := krewRun(t, root, env, filepath.Join(bin, "kubectl-krew"), "install", "--manifest="+manifest, "--archive="+archive)
		krewWant(t, out, "Installed plugin: gitops")

		out = krewRun(t, root, env, filepath.Join(bin, "kubectl"), "gitops", "version")
		krewWant(t, out, "kubectl-gitops "+krewVersion)
		out = krewRun(t, root, env, filepath.Join(bin, "kubectl"), "plugin", "list")
		krewWant(t, out, filepath.Join(krewRoot, "bin", "kubectl-gitops"))
		if _, err := os.Stat(filepath.Join(krewRoot, "receipts", "gitops.yaml")); err != nil {
			t.Errorf("krew kept no receipt of the installation: %v", err)
		}
	})
}

// krewRun runs name with args in dir; env (if any) replaces the environment
// apart from what Go needs to build.
func krewRun(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func krewWant(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// krewRewriteURIs points every platform's uri at base, keeping the file name.
func krewRewriteURIs(manifest, base string) string {
	lines := strings.Split(manifest, "\n")
	for i, l := range lines {
		if rest, ok := strings.CutPrefix(l, "    uri: "); ok {
			lines[i] = "    uri: " + base + "/" + rest[strings.LastIndex(rest, "/")+1:]
		}
	}
	return strings.Join(lines, "\n")
}
