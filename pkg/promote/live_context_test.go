package promote

import (
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// TestNewLiveReaderContext: a context the kubeconfig lacks is named, with
// the file and the contexts it has.
func TestNewLiveReaderContext(t *testing.T) {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["c"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:1"}
	cfg.AuthInfos["u"] = &clientcmdapi.AuthInfo{Token: "t"}
	cfg.Contexts["staging-cluster"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "u"}
	file := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, file); err != nil {
		t.Fatal(err)
	}
	if _, err := NewLiveReader(file, "staging-cluster"); err != nil {
		t.Fatalf("NewLiveReader(staging-cluster): %v", err)
	}
	_, err := NewLiveReader(file, "prod")
	if err == nil {
		t.Fatal("NewLiveReader(prod) succeeded")
	}
	for _, want := range []string{`context "prod"`, file, "its contexts are staging-cluster"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}
