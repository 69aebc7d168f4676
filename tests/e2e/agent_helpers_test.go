//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/gitward/gitward/pkg/agent"
	"github.com/gitward/gitward/pkg/inventory"
	"github.com/gitward/gitward/pkg/provenance"
	"github.com/gitward/gitward/tests/localcluster"
)

// agentNamespace is where the tests keep SourceState objects.
const agentNamespace = "gitward-system"

// agentEnv is a local control plane with the SourceState CRD installed.
type agentEnv struct {
	cfg  *rest.Config
	kube kubernetes.Interface
	dyn  dynamic.Interface
}

func newAgentEnv(t *testing.T) *agentEnv {
	t.Helper()
	c := localcluster.StartForTest(t, localcluster.Options{})
	cfg := c.RESTConfig()
	cfg.QPS, cfg.Burst = 200, 400
	env := &agentEnv{cfg: cfg, kube: kubernetes.NewForConfigOrDie(cfg), dyn: dynamic.NewForConfigOrDie(cfg)}
	env.install(t)
	return env
}

// install installs the SourceState CRD and creates agentNamespace.
func (e *agentEnv) install(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if err := inventory.InstallCRD(ctx, e.dyn); err != nil {
		t.Fatal(err)
	}
	e.createNamespace(t, agentNamespace)
}

// agentCase is one subtest of an agent test; the cases of a test share one
// agentEnv and keep apart by namespace and source name.
type agentCase struct {
	name string
	run  func(*testing.T, *agentEnv)
}

// runCases runs each case as a subtest against e, in order.
func (e *agentEnv) runCases(t *testing.T, cases []agentCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, e) })
	}
}

func (e *agentEnv) createNamespace(t *testing.T, name string) {
	t.Helper()
	_, err := e.kube.CoreV1().Namespaces().Create(t.Context(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// syncer returns a Syncer for source name tracking repoURL's main branch at
// path; change adjusts the options.
func (e *agentEnv) syncer(t *testing.T, name, repoURL, path string, change func(*agent.Options)) *agent.Syncer {
	t.Helper()
	o := agent.Options{
		Config: e.cfg, Namespace: agentNamespace, Force: true,
		Source:       agent.SourceSpec{Name: name, Repo: repoURL, Branch: "main", Path: path},
		FetchTimeout: 10 * time.Second,
	}
	if change != nil {
		change(&o)
	}
	s, err := agent.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// cycleOK runs one cycle and fails the test if it failed.
func cycleOK(t *testing.T, s *agent.Syncer) agent.Report {
	t.Helper()
	rep := s.Cycle(t.Context(), agent.TriggerInterval)
	if rep.Err != nil {
		t.Fatalf("cycle: %v", rep.Err)
	}
	return rep
}

// cycleFails runs one cycle and fails the test unless its error wraps every
// one of want.
func cycleFails(t *testing.T, s *agent.Syncer, want ...error) agent.Report {
	t.Helper()
	rep := s.Cycle(t.Context(), agent.TriggerInterval)
	for _, w := range want {
		if !errors.Is(rep.Err, w) {
			t.Fatalf("cycle error = %v, want one wrapping %v", rep.Err, want)
		}
	}
	return rep
}

// runAgent runs s as the agent does (its own loop, until the test ends) and
// returns a function that waits for the next cycle's report.
func runAgent(t *testing.T, s *agent.Syncer) func() agent.Report {
	t.Helper()
	cycles := make(chan agent.Report, 16)
	ctx, cancel := context.WithCancel(t.Context())
	// Once the test is over nobody reads: a report must not block the loop.
	s.OnCycle(func(r agent.Report) {
		select {
		case cycles <- r:
		case <-ctx.Done():
		}
	})
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Start(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return func() agent.Report {
		t.Helper()
		select {
		case r := <-cycles:
			return r
		case <-time.After(time.Minute): // bounds a hung test; not a timed assertion
			t.Fatal("gave up waiting for a cycle")
			return agent.Report{}
		}
	}
}

// cmValue returns the value of a ConfigMap, or "" and false when it does
// not exist.
func (e *agentEnv) cmValue(t *testing.T, ns, name string) (string, bool) {
	t.Helper()
	cm, err := e.kube.CoreV1().ConfigMaps(ns).Get(t.Context(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return cm.Data["value"], true
}

// wantCM fails unless ConfigMap ns/name has value (want "" and absent=true:
// it must not exist).
func (e *agentEnv) wantCM(t *testing.T, ns, name, value string) {
	t.Helper()
	got, ok := e.cmValue(t, ns, name)
	switch {
	case value == "" && ok:
		t.Errorf("ConfigMap %s/%s exists with %q, want it gone", ns, name, got)
	case value != "" && !ok:
		t.Errorf("ConfigMap %s/%s is missing, want %q", ns, name, value)
	case value != "" && got != value:
		t.Errorf("ConfigMap %s/%s = %q, want %q", ns, name, got, value)
	}
}

// editCM changes a ConfigMap's value like `kubectl edit` (an update with
// field manager kubectl-edit, keeping every annotation).
func (e *agentEnv) editCM(t *testing.T, ns, name, value string) {
	t.Helper()
	cm, err := e.kube.CoreV1().ConfigMaps(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm.Data["value"] = value
	if _, err := e.kube.CoreV1().ConfigMaps(ns).Update(t.Context(), cm, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
}

// status returns the status of a source's SourceState.
func (e *agentEnv) status(t *testing.T, source string) map[string]any {
	t.Helper()
	u, err := e.dyn.Resource(inventory.GVR).Namespace(agentNamespace).Get(t.Context(), source, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st, _, _ := unstructured.NestedMap(u.Object, "status")
	return st
}

// inventory returns the inventory entries of a source, sorted.
func (e *agentEnv) inventory(t *testing.T, source string) []string {
	t.Helper()
	raw, _ := e.status(t, source)["inventory"].([]any)
	out := make([]string, 0, len(raw))
	for _, r := range raw {
		out = append(out, fmt.Sprint(r))
	}
	slices.Sort(out)
	return out
}

// wantInventory fails unless the inventory of a source is want, sorted.
func (e *agentEnv) wantInventory(t *testing.T, source string, want ...string) {
	t.Helper()
	if inv := e.inventory(t, source); !slices.Equal(inv, want) {
		t.Errorf("inventory = %v, want %v", inv, want)
	}
}

// condition returns the status, reason and message of a condition.
func condition(st map[string]any, typ string) (string, string, string) {
	conds, _, _ := unstructured.NestedSlice(st, "conditions")
	for _, c := range conds {
		if m, _ := c.(map[string]any); m["type"] == typ {
			return fmt.Sprint(m["status"]), fmt.Sprint(m["reason"]), fmt.Sprint(m["message"])
		}
	}
	return "", "", ""
}

// wantReady fails unless the Ready condition of status st has status and,
// when reason is not "", reason.
func wantReady(t *testing.T, st map[string]any, status, reason string) {
	t.Helper()
	got, gotReason, _ := condition(st, agent.CondReady)
	want := status
	if reason != "" {
		want += "/" + reason
	}
	if got != status || (reason != "" && gotReason != reason) {
		t.Errorf("Ready = %s/%s, want %s", got, gotReason, want)
	}
}

// eventually polls cond every 100ms until it holds or a minute passes. It is
// a wait, not a timed assertion: the minute only bounds a hung test.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sourceOf returns the source label of a ConfigMap.
func (e *agentEnv) sourceOf(t *testing.T, ns, name string) string {
	t.Helper()
	cm, err := e.kube.CoreV1().ConfigMaps(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return cm.Labels[provenance.LabelSource]
}
