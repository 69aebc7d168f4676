package localcluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Polling of waitReady.
const (
	pollInterval   = 100 * time.Millisecond
	requestTimeout = 5 * time.Second
)

// waitReady polls until /readyz answers ok and ServiceAccount default/default
// exists, failing fast when a component exits.
func (c *Cluster) waitReady(ctx context.Context) error {
	cs, err := kubernetes.NewForConfig(c.RESTConfig())
	if err != nil {
		return fmt.Errorf("localcluster: client for %s: %w", c.Server, err)
	}
	stage, last := "/readyz", error(nil)
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		for _, p := range c.procs {
			if p.exited() {
				err := p.exitError()
				if isAddrInUse(p.tail()) {
					err = fmt.Errorf("%w: %w", errPortTaken, err)
				}
				return err
			}
		}
		ok, err := c.checkOnce(ctx, cs, stage)
		switch {
		case ok && stage == "/readyz":
			stage = "ServiceAccount default/default"
			continue
		case ok:
			return nil
		case err != nil:
			last = err
		}
		select {
		case <-ctx.Done():
			return c.notReady(ctx, stage, last)
		case <-ticker.C:
		}
	}
}

// checkOnce runs one readiness check of stage.
func (c *Cluster) checkOnce(ctx context.Context, cs kubernetes.Interface, stage string) (bool, error) {
	rctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	if stage == "/readyz" {
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(rctx)
		if err != nil {
			return false, fmt.Errorf("GET /readyz: %w: %s", err, body)
		}
		return true, nil
	}
	_, err := cs.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(rctx, "default", metav1.GetOptions{})
	switch {
	case err == nil:
		return true, nil
	case apierrors.IsNotFound(err):
		return false, errors.New("kube-controller-manager has not created ServiceAccount default/default")
	default:
		return false, err
	}
}

// notReady builds the timeout error: what was awaited, the last failure and
// the tails of the logs of the components that would be to blame.
func (c *Cluster) notReady(ctx context.Context, stage string, last error) error {
	blame := []string{Etcd, KubeAPIServer}
	if stage != "/readyz" {
		blame = []string{KubeControllerManager}
	}
	var tails strings.Builder
	for _, p := range c.procs {
		if slices.Contains(blame, p.name) {
			fmt.Fprintf(&tails, "\n--- %s ends with:\n%s", p.logPath, p.tail())
		}
	}
	return fmt.Errorf("localcluster: %w: waiting for %s at %s: %w (last check: %v)%s",
		ErrNotReady, stage, c.Server, context.Cause(ctx), last, tails.String())
}
