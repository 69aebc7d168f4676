package localcluster

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// WebhookClientName is the common name of the client certificate
// kube-apiserver presents to admission webhooks with
// Options.WebhookClientCert.
const WebhookClientName = "kube-apiserver-admission"

// webhookClient is the identity kube-apiserver presents to the admission
// webhooks it calls, as a cluster operator gives it one: a CA of its own
// (not the cluster CA, whose certificates every user holds) and a client
// certificate it signed.
type webhookClient struct {
	ca, client *keyPair
}

// webhookClientFiles are the files of a webhookClient.
type webhookClientFiles struct {
	caCert, cert, key string
	// kubeconfig gives the certificate for every webhook host ("*": the
	// webhooks of the tests listen on random loopback ports).
	kubeconfig string
	// admissionConfig is the AdmissionConfiguration naming kubeconfig for
	// both webhook admission plugins.
	admissionConfig string
}

func newWebhookClient(now time.Time) (*webhookClient, error) {
	ca, err := newCA(now, "localcluster-webhook-client-ca")
	if err != nil {
		return nil, err
	}
	client, err := ca.issue(now, clientTemplate(WebhookClientName))
	if err != nil {
		return nil, fmt.Errorf("localcluster: webhook client certificate: %w", err)
	}
	return &webhookClient{ca: ca, client: client}, nil
}

// write stores the CA, the client key pair, the kubeconfig and the
// AdmissionConfiguration in dir.
func (w *webhookClient) write(dir string) (webhookClientFiles, error) {
	f := webhookClientFiles{
		caCert:          filepath.Join(dir, "webhook-client-ca.crt"),
		cert:            filepath.Join(dir, "webhook-client.crt"),
		key:             filepath.Join(dir, "webhook-client.key"),
		kubeconfig:      filepath.Join(dir, "webhook-client.kubeconfig"),
		admissionConfig: filepath.Join(dir, "admission-config.yaml"),
	}
	for path, data := range map[string][]byte{f.caCert: w.ca.certPEM, f.cert: w.client.certPEM, f.key: w.client.keyPEM} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return f, fmt.Errorf("localcluster: writing %s: %w", path, err)
		}
	}
	cfg := clientcmdapi.NewConfig()
	cfg.AuthInfos["*"] = &clientcmdapi.AuthInfo{ClientCertificate: f.cert, ClientKey: f.key}
	if err := clientcmd.WriteToFile(*cfg, f.kubeconfig); err != nil {
		return f, fmt.Errorf("localcluster: writing %s: %w", f.kubeconfig, err)
	}
	if err := os.WriteFile(f.admissionConfig, []byte(admissionConfiguration(f.kubeconfig)), 0o600); err != nil {
		return f, fmt.Errorf("localcluster: writing %s: %w", f.admissionConfig, err)
	}
	return f, nil
}

// admissionConfiguration gives both webhook admission plugins the
// kubeconfig that names the client certificate they present.
func admissionConfiguration(kubeconfig string) string {
	plugin := func(name string) string {
		return `  - name: ` + name + `
    configuration:
      apiVersion: apiserver.config.k8s.io/v1
      kind: WebhookAdmissionConfiguration
      kubeConfigFile: ` + kubeconfig + `
`
	}
	return "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n" +
		plugin("ValidatingAdmissionWebhook") + plugin("MutatingAdmissionWebhook")
}
