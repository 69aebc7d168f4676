package cmd

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/gitward/gitward/pkg/admit"
	"github.com/gitward/gitward/pkg/gitrepo"
	"github.com/gitward/gitward/pkg/gitview"
	"github.com/gitward/gitward/pkg/memtrim"
	"github.com/gitward/gitward/pkg/webhookserver"
)

// Run clones every source, renders its head, and serves until ctx is done.
func (o *ServeOptions) Run(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	log := o.logger()
	logf.SetLogger(log)
	ctx = logr.NewContext(ctx, log)

	rc, err := o.ConfigFlags.ToRESTConfig()
	if err != nil {
		return fmt.Errorf("kubeconfig: %w", err)
	}
	kube, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(rc)
	if err != nil {
		return err
	}
	auth, err := gitrepo.AuthFromFiles(gitrepo.AuthFiles{TokenFile: o.TokenFile, Username: o.Username,
		SSHKeyFile: o.SSHKeyFile, KnownHostsFile: o.KnownHostsFile})
	if err != nil {
		return err
	}
	if o.SelfBootstrap {
		svc := o.ServiceName + "." + o.Namespace + ".svc"
		if err := webhookserver.Bootstrap(ctx, webhookserver.BootstrapOptions{Client: kube, Namespace: o.Namespace,
			SecretName: o.BootstrapSecret, Hosts: []string{svc, svc + ".cluster.local"},
			WebhookConfigName: o.WebhookConfigName, CertDir: o.CertDir}); err != nil {
			return err
		}
	}

	metrics := webhookserver.NewMetrics()
	sources := map[string]admit.Source{}
	var views []*gitview.View
	for _, vo := range o.views {
		vo.Auth, vo.Log, vo.Hooks = auth, log.WithName("git"), returnMemoryAfterRender(metrics.Hooks(vo.Name), log)
		cctx, cancel := context.WithTimeout(ctx, o.CloneTimeout)
		v, err := gitview.New(cctx, vo)
		cancel()
		if err != nil {
			return err
		}
		go v.Run(ctx)
		sources[vo.Name] = v
		views = append(views, v)
	}
	nsIndex := webhookserver.NewNamespaceIndex(ctx, kube, o.nsMap)
	exempt := admit.DefaultExemptions()
	exempt.Users = append(exempt.Users, o.ExemptUsers...)
	exempt.Groups = append(exempt.Groups, o.ExemptGroups...)
	d := &admit.Decider{Sources: sources, Namespaces: nsIndex, Mode: admit.Mode(o.Mode),
		BreakGlassGroups: o.BreakGlassGroups, Exempt: exempt, Ignore: o.ignore}
	o.identities(d)
	if err := d.Validate(); err != nil {
		return err
	}
	h := &webhookserver.Handler{Decider: d, Parents: webhookserver.DynamicParents{Client: dyn},
		Events: webhookserver.KubeEvents{Client: kube, Component: "gitward-webhook"}, Metrics: metrics}
	srv := &webhookserver.Server{Addr: o.Addr, ProbeAddr: o.ProbeAddr, HTTP2: o.EnableHTTP2, CertFile: o.TLSCert, KeyFile: o.TLSKey,
		Webhook: webhookserver.Webhook(h, log.WithName("admission")), Metrics: metrics, Log: log,
		Ready: func() bool {
			for _, v := range views {
				if !v.Ready() {
					return false
				}
			}
			return nsIndex.Synced()
		}}
	srv.ClientCAFile, srv.ClientNames = o.ClientCAFile, o.ClientNames
	return srv.Run(ctx)
}

// returnMemoryAfterRender makes a rendering give the memory it churned
// through back to the operating system: renderings are rare (a new head, an
// unknown commit) and produce many times the garbage of what is kept, and
// the webhook's resident size is what its memory limit is measured against.
// The first rendering, at start-up, also releases the pages the package
// initialisers touched (pkg/memtrim).
func returnMemoryAfterRender(h gitview.Hooks, log logr.Logger) gitview.Hooks {
	render := h.Render
	h.Render = func(d time.Duration, objects int, err error) {
		if render != nil {
			render(d, objects, err)
		}
		releaseMemory(log)
	}
	return h
}

// releaseMemory returns the heap's free pages and the binary's clean pages
// (see pkg/memtrim). A failure costs only memory, so it is logged.
func releaseMemory(log logr.Logger) {
	st, err := memtrim.Release()
	if err != nil {
		log.Error(err, "return memory to the operating system")
		return
	}
	log.V(1).Info("returned memory to the operating system", "executableBytes", st.ExecutableBytes)
}

// logger writes JSON lines to ErrOut (os.Stderr when unset).
func (o *ServeOptions) logger() logr.Logger {
	out := o.ErrOut
	if out == nil {
		out = os.Stderr
	}
	return funcr.NewJSON(func(obj string) { fmt.Fprintln(out, obj) },
		funcr.Options{Verbosity: o.Verbosity, LogTimestamp: true}).WithName("gitward-webhook")
}
