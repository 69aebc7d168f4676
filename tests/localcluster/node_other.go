//go:build !linux

package localcluster

import (
	"context"
	"fmt"
	"net"
)

// node is not available off Linux (namespaces, cgroups).
type node struct{}

func (o *Options) checkNodeBinaries() error {
	return fmt.Errorf("localcluster: %w: a node needs Linux", ErrNodeUnavailable)
}

func (c *Cluster) prepareNode(context.Context) error { return c.opts.checkNodeBinaries() }
func (c *Cluster) startNode(context.Context) error   { return c.opts.checkNodeBinaries() }
func (c *Cluster) stopNode() error                   { return nil }
func (c *Cluster) closeNode() error                  { return nil }

func (c *Cluster) allProcs() []*process { return c.procs }

func (c *Cluster) nodeForwardPort() int { return 0 }

func (c *Cluster) wrapInNode(binary string, args []string, _ string) (string, []string) {
	return binary, args
}

// ImportImage needs a node, which needs Linux.
func (c *Cluster) ImportImage(context.Context, string) error { return c.opts.checkNodeBinaries() }

// ListenInNode needs a node, which needs Linux.
func (c *Cluster) ListenInNode(string, string) (net.Listener, error) {
	return nil, c.opts.checkNodeBinaries()
}

// DialInNode needs a node, which needs Linux.
func (c *Cluster) DialInNode(context.Context, string, string) (net.Conn, error) {
	return nil, c.opts.checkNodeBinaries()
}
