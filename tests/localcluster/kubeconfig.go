package localcluster

import (
	"fmt"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// contextName names the cluster, user and context in written kubeconfigs.
const contextName = "localcluster"

// Client rate limits of RESTConfig; tests create objects in bursts.
const (
	clientQPS   = 100
	clientBurst = 200
)

// kubeconfig returns a self-contained kubeconfig (certificates embedded) that
// reaches server as the holder of client.
func kubeconfig(server string, caPEM []byte, user string, client *keyPair) *clientcmdapi.Config {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[contextName] = &clientcmdapi.Cluster{
		Server:                   server,
		CertificateAuthorityData: caPEM,
	}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{
		ClientCertificateData: client.certPEM,
		ClientKeyData:         client.keyPEM,
	}
	cfg.Contexts[contextName] = &clientcmdapi.Context{Cluster: contextName, AuthInfo: user}
	cfg.CurrentContext = contextName
	return cfg
}

// writeKubeconfig writes kubeconfig(...) to path with mode 0600.
func writeKubeconfig(path, server string, caPEM []byte, user string, client *keyPair) error {
	if err := clientcmd.WriteToFile(*kubeconfig(server, caPEM, user, client), path); err != nil {
		return fmt.Errorf("localcluster: writing kubeconfig %s: %w", path, err)
	}
	return nil
}

// restConfig returns a client configuration for server as the holder of
// client.
func restConfig(server string, caPEM []byte, client *keyPair) *rest.Config {
	return &rest.Config{
		Host: server,
		TLSClientConfig: rest.TLSClientConfig{
			CAData:   caPEM,
			CertData: client.certPEM,
			KeyData:  client.keyPEM,
		},
		QPS:   clientQPS,
		Burst: clientBurst,
	}
}
