//go:build e2e

package agent_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/gitward/gitward/tests/localcluster"
)

var (
	writeRounds   = flag.Int("write-rounds", 2, "TestWriteCost: rounds over the variants")
	writeVariants = flag.String("write-variants", "", "TestWriteCost: comma-separated variants (default: all)")
	apiProfile    = flag.String("apiserver-profile", "", "TestWriteCost: variant whose API server CPU profile to save (in the working folder)")
)

// writeVariant is one way of writing the objects.
type writeVariant struct {
	name       string
	create     bool   // POST instead of server-side apply
	body       string // json, yaml, proto
	validation string // fieldValidation query parameter ("" = server default, Warn)
	accept     string // "" = PartialObjectMetadata protobuf, like the metadata client
	conc       int    // requests in flight
	conns      int    // HTTP/2 connections (1: one shared, like client-go)
	http1      bool   // HTTP/1.1: a connection per request in flight
}

const acceptMeta = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"

var allWriteVariants = []writeVariant{
	{name: "ssa-json", body: "json", conc: 24, conns: 1},
	{name: "ssa-json-ignore", body: "json", validation: "Ignore", conc: 24, conns: 1},
	{name: "ssa-json-strict", body: "json", validation: "Strict", conc: 24, conns: 1},
	{name: "ssa-yaml", body: "yaml", conc: 24, conns: 1},
	{name: "ssa-json-fulljson", body: "json", accept: "application/json", conc: 24, conns: 1},
	{name: "ssa-json-c8", body: "json", conc: 8, conns: 1},
	{name: "ssa-json-c64", body: "json", conc: 64, conns: 1},
	{name: "ssa-json-ignore-c4", body: "json", validation: "Ignore", conc: 4, conns: 1},
	{name: "ssa-json-ignore-c8", body: "json", validation: "Ignore", conc: 8, conns: 1},
	{name: "ssa-json-ignore-c48", body: "json", validation: "Ignore", conc: 48, conns: 1},
	{name: "ssa-json-4conn", body: "json", conc: 24, conns: 4},
	{name: "ssa-json-http1", body: "json", conc: 24, conns: 1, http1: true},
	{name: "ssa-json-ignore-http1", body: "json", validation: "Ignore", conc: 24, conns: 1, http1: true},
	{name: "create-json", create: true, body: "json", conc: 24, conns: 1},
	{name: "create-json-ignore", create: true, body: "json", validation: "Ignore", conc: 24, conns: 1},
	{name: "create-proto", create: true, body: "proto", conc: 24, conns: 1},
}

// TestWriteCost writes the benchmark's objects in several ways, each into a
// namespace of its own, and reports wall time and the CPU the API server,
// etcd, the controller manager and this client used. kubectl apply
// --server-side of the same objects runs first for reference. Run:
//
//	go test -tags e2e -run '^TestWriteCost$' -v -count=1 -timeout 30m ./bench/agent/ -args -n 2000
func TestWriteCost(t *testing.T) {
	o := localcluster.Options{}
	if *apiProfile != "" {
		o.ExtraAPIServerFlags = []string{"--profiling=true"}
	}
	c := localcluster.StartForTest(t, o)
	cfg := c.RESTConfig()
	dir := t.TempDir()
	base := filepath.Join(dir, "base.yaml")
	run(t, "python3", *genScript, base, *nObjects)
	content, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	objs := decodeAll(t, content)
	t.Logf("%d objects (+ the namespace), load %s", len(objs), loadavg())

	variants := allWriteVariants
	if *writeVariants != "" {
		variants = nil
		for _, n := range strings.Split(*writeVariants, ",") {
			for _, v := range allWriteVariants {
				if v.name == n {
					variants = append(variants, v)
				}
			}
		}
	}
	kubectl := filepath.Join(repoRoot(t), ".cache", "bin", "kubectl")
	for round := 1; round <= *writeRounds; round++ {
		ns := fmt.Sprintf("w-kubectl-%d", round)
		kfile := filepath.Join(dir, ns+".yaml")
		kc := strings.ReplaceAll(strings.ReplaceAll(string(content), "name: bench\n", "name: "+ns+"\n"), "namespace: bench\n", "namespace: "+ns+"\n")
		if err := os.WriteFile(kfile, []byte(kc), 0o644); err != nil {
			t.Fatal(err)
		}
		waitQuiet(c, 30*time.Second)
		a := snap(c)
		run(t, kubectl, "--kubeconfig", c.Kubeconfig, "apply", "--server-side", "-f", kfile)
		t.Logf("round %d %-20s %s", round, "kubectl", delta(a, snap(c)))
		for i := range variants {
			v := variants[(i+round-1)%len(variants)]
			ns := fmt.Sprintf("w-%s-%d", v.name, round)
			reqs := buildRequests(t, cfg.Host, ns, objs, v)
			w := newWriter(t, cfg, v)
			// The namespace first, as the agent does.
			if err := w.do(t.Context(), reqs[0]); err != nil {
				t.Fatal(err)
			}
			waitQuiet(c, 30*time.Second)
			var prof func()
			if v.name == *apiProfile {
				prof = startAPIProfile(t, cfg, v.name)
			}
			a := snap(c)
			failed := w.all(t.Context(), reqs[1:], v.conc)
			d := delta(a, snap(c))
			if prof != nil {
				prof()
			}
			t.Logf("round %d %-20s %s  %d failed", round, v.name, d, failed)
		}
	}
}

// decodeAll decodes a multi-document YAML file into objects.
func decodeAll(t *testing.T, content []byte) []*unstructured.Unstructured {
	d := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(content), 4096)
	var out []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := d.Decode(&u.Object); err == io.EOF {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		if len(u.Object) > 0 {
			out = append(out, u)
		}
	}
}

type request struct {
	method, url, ctype string
	body               []byte
}

// resourcePath is the collection path of the kinds gen-objects.py writes.
func resourcePath(u *unstructured.Unstructured, ns string) string {
	switch u.GetKind() {
	case "Namespace":
		return "/api/v1/namespaces"
	case "ConfigMap":
		return "/api/v1/namespaces/" + ns + "/configmaps"
	case "Service":
		return "/api/v1/namespaces/" + ns + "/services"
	case "Deployment":
		return "/apis/apps/v1/namespaces/" + ns + "/deployments"
	}
	return ""
}

// buildRequests encodes every object for v, renamed into namespace ns.
func buildRequests(t *testing.T, host, ns string, objs []*unstructured.Unstructured, v writeVariant) []request {
	pb := protobuf.NewSerializer(scheme.Scheme, scheme.Scheme)
	out := make([]request, 0, len(objs))
	start := time.Now()
	for _, o := range objs {
		u := o.DeepCopy()
		if u.GetKind() == "Namespace" {
			u.SetName(ns)
		} else {
			u.SetNamespace(ns)
		}
		r := request{url: host + resourcePath(u, ns)}
		q := "?fieldManager=gitward"
		if v.create {
			r.method = http.MethodPost
		} else {
			r.method = http.MethodPatch
			r.url += "/" + u.GetName()
			q += "&force=true"
		}
		if v.validation != "" {
			q += "&fieldValidation=" + v.validation
		}
		r.url += q
		var err error
		switch v.body {
		case "json":
			r.body, err = json.Marshal(u.Object)
			r.ctype = "application/json"
		case "yaml":
			r.body, err = sigsyaml.Marshal(u.Object)
			r.ctype = "application/yaml"
		case "proto":
			var typed runtime.Object
			if typed, err = scheme.Scheme.New(u.GroupVersionKind()); err == nil {
				if err = runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, typed); err == nil {
					var buf bytes.Buffer
					err = pb.Encode(typed, &buf)
					r.body = buf.Bytes()
				}
			}
			r.ctype = "application/vnd.kubernetes.protobuf"
		}
		if err != nil {
			t.Fatalf("encode %s/%s as %s: %v", u.GetKind(), u.GetName(), v.body, err)
		}
		if !v.create {
			r.ctype = "application/apply-patch+yaml"
		}
		out = append(out, r)
	}
	t.Logf("  encoded %d %s bodies in %s", len(out), v.body, time.Since(start).Round(time.Millisecond))
	return out
}

// writer sends requests over one or more HTTP/2 connections.
type writer struct {
	clients []*http.Client
	accept  string
	next    atomic.Int64
}

func newWriter(t *testing.T, cfg *rest.Config, v writeVariant) *writer {
	w := &writer{accept: v.accept}
	if w.accept == "" {
		w.accept = acceptMeta
	}
	for range max(v.conns, 1) {
		c := rest.CopyConfig(cfg)
		if v.http1 {
			c.TLSClientConfig.NextProtos = []string{"http/1.1"}
		}
		hc, err := rest.HTTPClientFor(c)
		if err != nil {
			t.Fatal(err)
		}
		w.clients = append(w.clients, hc)
	}
	return w
}

func (w *writer) do(ctx context.Context, r request) error {
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, bytes.NewReader(r.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", r.ctype)
	req.Header.Set("Accept", w.accept)
	hc := w.clients[int(w.next.Add(1))%len(w.clients)]
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", r.method, r.url, resp.Status, tail(string(b)))
	}
	return nil
}

// all sends reqs with conc in flight and returns how many failed.
func (w *writer) all(ctx context.Context, reqs []request, conc int) int {
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	var failed atomic.Int64
	var once sync.Once
	for _, r := range reqs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := w.do(ctx, r); err != nil {
				failed.Add(1)
				once.Do(func() { fmt.Fprintln(os.Stderr, "first failure:", err) })
			}
		}()
	}
	wg.Wait()
	return int(failed.Load())
}

// startAPIProfile starts a CPU profile of the API server; the returned func
// waits for it and saves it as apiserver-<name>.pprof.
func startAPIProfile(t *testing.T, cfg *rest.Config, name string) func() {
	hc, err := rest.HTTPClientFor(rest.CopyConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []byte, 1)
	go func() {
		resp, err := hc.Get(cfg.Host + "/debug/pprof/profile?seconds=3")
		if err != nil {
			t.Log(err)
			done <- nil
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		done <- b
	}()
	time.Sleep(100 * time.Millisecond)
	return func() {
		b := <-done
		path := "apiserver-" + name + ".pprof"
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Log(err)
		}
		t.Logf("  API server profile: %s (%d bytes)", path, len(b))
	}
}
