package cmd

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

const sealInputSecret = `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: prod
  labels:
    app: db
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"stringData":{"password":"` + sealPlaintext + `"}}'
  uid: 0b5e4bd2-1f5e-4c48-9c4a-1c1d5a7d2f00
  resourceVersion: "42"
type: kubernetes.io/basic-auth
stringData:
  username: admin
  password: ` + sealPlaintext + `
`

func TestSealOutputs(t *testing.T) {
	e := newSealEnv(t)
	cert := "--cert=" + e.path("cert.pem")
	tests := []struct {
		name   string
		stdin  string
		args   []string
		golden string
		want   map[string]map[string]string
	}{
		{
			name: "from literal and file, yaml", golden: "seal/literal.yaml",
			args: []string{cert, "-n", "prod", "--name", "db", "--from-literal", "user=admin", "--from-file", "password=" + e.path("password.txt")},
			want: map[string]map[string]string{"prod/db": {"user": "admin", "password": sealPlaintext}},
		},
		{
			name: "from env file, json", golden: "seal/envfile.json",
			args: []string{cert, "-n", "prod", "--name", "app", "--type", "Opaque", "--from-env-file", e.path("app.env"), "-o", "json"},
			want: map[string]map[string]string{"prod/app": {"USER": "admin", "PASSWORD": sealPlaintext}},
		},
		{
			name: "manifest on stdin", golden: "seal/stdin.yaml", stdin: sealInputSecret,
			args: []string{cert},
			want: map[string]map[string]string{"prod/db": {"username": "admin", "password": sealPlaintext}},
		},
		{
			name: "manifest file, renamed, namespace-wide", golden: "seal/namespace-wide.yaml",
			args: []string{cert, "-f", e.write(t, "in.yaml", sealInputSecret), "--name", "db2", "--scope", "namespace-wide"},
			want: map[string]map[string]string{"prod/db2": {"username": "admin", "password": sealPlaintext}},
		},
		{
			name: "cluster-wide needs no namespace", golden: "seal/cluster-wide.yaml",
			args: []string{cert, "--name", "shared", "--scope", "cluster-wide", "--from-literal", "token=" + sealPlaintext},
			want: map[string]map[string]string{"/shared": {"token": sealPlaintext}},
		},
		{
			name: "two documents", golden: "seal/two.yaml",
			stdin: "kind: Secret\nmetadata: {name: a, namespace: prod}\nstringData: {k: a}\n---\nkind: Secret\nmetadata: {name: b}\nstringData: {k: b}\n",
			args:  []string{cert, "-n", "prod"},
			want:  map[string]map[string]string{"prod/a": {"k": "a"}, "prod/b": {"k": "b"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run(t, tt.stdin, tt.args...)
			if r.err != nil {
				t.Fatalf("seal: %v", r.err)
			}
			if got := e.unsealAll(t, r.stdout); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("the controller opens %v, want %v", got, tt.want)
			}
			golden(t, tt.golden, e.normalize(r.stdout))
		})
	}
}

func TestSealRaw(t *testing.T) {
	e := newSealEnv(t)
	cert := "--cert=" + e.path("cert.pem")
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
	}{
		{name: "stdin", stdin: sealPlaintext, args: []string{"--raw", cert, "-n", "prod", "--name", "db"}},
		{name: "from file", args: []string{"--raw", cert, "-n", "prod", "--name", "db", "--from-file", e.path("password.txt")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.run(t, tc.stdin, tc.args...)
			if r.err != nil {
				t.Fatalf("seal --raw: %v", r.err)
			}
			if e.normalize(r.stdout) != "<sealed>" {
				t.Fatalf("seal --raw printed %q, want one ciphertext", r.stdout)
			}
			doc := fmt.Sprintf("apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: db, namespace: prod}\nspec:\n  encryptedData:\n    password: %s\n", r.stdout)
			if got := e.unsealAll(t, doc); got["prod/db"]["password"] != sealPlaintext {
				t.Errorf("raw value opened to %q", got["prod/db"]["password"])
			}
		})
	}
}

func TestSealMergeInto(t *testing.T) {
	e := newSealEnv(t)
	cert := "--cert=" + e.path("cert.pem")
	target := e.path("sealed.yaml")
	r := e.run(t, "", cert, "-n", "prod", "--name", "db", "--from-literal", "user=admin", "--from-literal", "password=old")
	if r.err != nil {
		t.Fatal(r.err)
	}
	e.write(t, "sealed.yaml", r.stdout)

	// The input's own name and namespace give way to the file's.
	r = e.run(t, "", cert, "--merge-into", target, "-n", "dev", "--name", "other",
		"--from-literal", "password="+sealPlaintext, "--from-literal", "token=t")
	if r.err != nil {
		t.Fatalf("seal --merge-into: %v", r.err)
	}
	if r.stdout != "" {
		t.Errorf("seal --merge-into printed %q on stdout", r.stdout)
	}
	golden(t, "seal/merge-into.stderr", e.normalize(r.stderr))
	merged := mustFile(t, target)
	want := map[string]map[string]string{"prod/db": {"user": "admin", "password": sealPlaintext, "token": "t"}}
	if got := e.unsealAll(t, merged); !reflect.DeepEqual(got, want) {
		t.Errorf("after --merge-into the controller opens %v, want %v", got, want)
	}
	golden(t, "seal/merge-into.yaml", e.normalize(merged))

	// Refusals leave the file exactly as it was.
	for _, args := range [][]string{
		{"--scope", "cluster-wide", "--from-literal", "k=" + sealPlaintext},
		{"--cert", e.path("expired.pem"), "--from-literal", "k=" + sealPlaintext},
		{"--from-literal", sealPlaintext},
	} {
		r := e.run(t, "", append([]string{cert, "--merge-into", target}, args...)...)
		if r.err == nil {
			t.Errorf("seal --merge-into %v: no error", args)
		}
		if got := mustFile(t, target); got != merged {
			t.Errorf("seal --merge-into %v changed the file after an error", args)
		}
	}
	entries, _ := os.ReadDir(e.dir)
	for _, de := range entries {
		if strings.Contains(de.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", de.Name())
		}
	}
}

// TestSealContextNamespace: a Secret without a namespace takes the one the
// kubeconfig's context sets explicitly, never an assumed "default".
func TestSealContextNamespace(t *testing.T) {
	e := newSealEnv(t)
	kubeconfig := e.write(t, "kubeconfig", `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {}}]
contexts:
- {name: with-ns, context: {cluster: c, user: u, namespace: team}}
- {name: without-ns, context: {cluster: c, user: u}}
current-context: with-ns
`)
	t.Setenv("KUBECONFIG", kubeconfig)
	args := []string{"--cert=" + e.path("cert.pem"), "--name", "db", "--from-literal", "k=v"}

	r := e.run(t, "", args...)
	if r.err != nil {
		t.Fatalf("seal: %v", r.err)
	}
	if got := e.unsealAll(t, r.stdout); got["team/db"]["k"] != "v" {
		t.Errorf("sealed for %v, want team/db from the context", got)
	}
	r = e.run(t, "", append(args, "--context", "without-ns")...)
	if r.err == nil || !strings.Contains(r.err.Error(), "missing namespace") {
		t.Errorf("seal under a context without namespace: error %v, want missing namespace", r.err)
	}
}
