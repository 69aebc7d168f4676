package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/klog/v2/textlogger"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/gitward/gitward/pkg/agent"
	"github.com/gitward/gitward/pkg/apply"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/inventory"
	"github.com/gitward/gitward/pkg/memtrim"
)

// Run starts the manager: leader election, metrics, probes, the webhook
// endpoint and one Syncer per source.
func (o *RunOptions) Run(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	o.applyMemoryLimit()
	log := textlogger.NewLogger(textlogger.NewConfig(textlogger.Output(o.ErrOut)))
	ctrl.SetLogger(log)
	ctx = ctrl.LoggerInto(ctx, log)
	if o.InstallCRD {
		ictx, cancel := context.WithTimeout(ctx, time.Minute)
		err := inventory.InstallCRD(ictx, dynamic.NewForConfigOrDie(o.restConfig))
		cancel()
		if err != nil {
			return err
		}
	}
	mgr, err := ctrl.NewManager(o.restConfig, manager.Options{
		Metrics:                 metricsserver.Options{BindAddress: o.MetricsAddr},
		HealthProbeBindAddress:  o.ProbeAddr,
		LeaderElection:          o.LeaderElect,
		LeaderElectionID:        "gitward-agent",
		LeaderElectionNamespace: o.Namespace,
		Logger:                  log,
	})
	if err != nil {
		return fmt.Errorf("start the manager: %w", err)
	}
	if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("ping", healthz.Ping); err != nil {
		return err
	}
	m, err := agent.NewMetrics(metrics.Registry)
	if err != nil {
		return err
	}
	auth, err := gitrepo.AuthFromFiles(gitrepo.AuthFiles{
		TokenFile: o.TokenFile, Username: o.Username, SSHKeyFile: o.SSHKeyFile, KnownHostsFile: o.KnownHostsFile,
	})
	if err != nil {
		return err
	}
	//lint:ignore SA1019 core/v1 Events (the old API) are what kubectl describe shows
	recorder := mgr.GetEventRecorderFor("gitward-agent")
	var targets []agent.Triggerer
	for _, spec := range o.specs {
		workDir := ""
		if o.WorkDir != "" {
			workDir = filepath.Join(o.WorkDir, spec.Name)
		}
		s, err := agent.New(agent.Options{
			Config: o.restConfig, Namespace: o.Namespace, Source: spec, Auth: auth, WorkDir: workDir,
			Depth: o.Depth, Interval: o.Interval, FetchTimeout: o.FetchTimeout, Debounce: o.Debounce,
			Keyring: o.keyring, Mode: apply.Mode(o.Mode), Force: o.Force, Concurrency: o.Concurrency,
			Namespaces: o.Namespaces, Ignore: o.ignore, Watch: !o.NoWatch, Recorder: recorder, Metrics: m, ReleaseMemory: true,
			Log: log.WithValues("source", spec.Name),
		})
		if err != nil {
			return err
		}
		if err := mgr.Add(s); err != nil {
			return err
		}
		targets = append(targets, s)
	}
	if len(o.secret) > 0 {
		if err := mgr.Add(&webhookServer{addr: o.WebhookAddr, handler: agent.WebhookHandler(o.secret, targets...)}); err != nil {
			return err
		}
	}
	// Start-up ran every package initialiser of the binary; a replica that
	// waits for leadership should not keep those pages resident either.
	if _, err := memtrim.Release(); err != nil {
		log.Error(err, "return memory to the operating system")
	}
	return mgr.Start(ctx)
}

// webhookServer serves the push-webhook endpoint on every replica; a
// trigger reaching a replica that is not the leader waits until it leads.
type webhookServer struct {
	addr    string
	handler http.Handler
}

func (w *webhookServer) NeedLeaderElection() bool { return false }

func (w *webhookServer) Start(ctx context.Context) error {
	mux := http.NewServeMux()
	mux.Handle("/hooks/git", w.handler)
	srv := &http.Server{Addr: w.addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("webhook endpoint %s: %w", w.addr, err)
	}
	return nil
}
