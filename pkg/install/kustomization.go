package install

import (
	"strings"

	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"
)

// Names in the bases that the overlays and the typed changes refer to.
const (
	webhookName       = "gitward-webhook"
	agentName         = "gitward-agent"
	baseImage         = "ghcr.io/gitward/gitward" // both bases' image, replaced by Options.Image
	configMount       = "/etc/gitward/gitward.yaml"
	certManagerMount  = "/etc/gitward/tls"
	tlsSecret         = "gitward-webhook-tls"
	pushSecretMount   = "/var/run/secrets/gitward/webhook"
	webhookConfigMap  = "gitward-webhook-config"
	agentConfigMap    = "gitward-config"
	webhookBasePath   = "../../webhook"
	agentBasePath     = "../../agent"
	overlayWebhookDir = "install/webhook"
	overlayAgentDir   = "install/agent"
)

// kustomization is the overlay of one base: the namespace, the image and
// the generated gitward.yaml (behavior replace where the base has one).
func (o *Options) kustomization(base, image, configMap, behavior string) ([]byte, error) {
	name, tag, err := splitImage(o.Image)
	if err != nil {
		return nil, err
	}
	img := types.Image{Name: image, NewName: name}
	if strings.HasPrefix(tag, "@") {
		img.Digest = strings.TrimPrefix(tag, "@")
	} else {
		img.NewTag = tag
	}
	k := types.Kustomization{
		TypeMeta:  types.TypeMeta{APIVersion: types.KustomizationVersion, Kind: types.KustomizationKind},
		Namespace: o.Namespace,
		Resources: []string{base},
		Images:    []types.Image{img},
		ConfigMapGenerator: []types.ConfigMapArgs{{GeneratorArgs: types.GeneratorArgs{
			Name: configMap, Behavior: behavior,
			KvPairSources: types.KvPairSources{FileSources: []string{"gitward.yaml"}},
		}}},
	}
	return yaml.Marshal(k)
}

// overlays returns the generated files: a kustomization and a gitward.yaml
// per base.
func (o *Options) overlays(gitwardYAML []byte) (map[string][]byte, error) {
	webhook, err := o.kustomization(webhookBasePath, baseImage, webhookConfigMap, "replace")
	if err != nil {
		return nil, err
	}
	agent, err := o.kustomization(agentBasePath, baseImage, agentConfigMap, "")
	if err != nil {
		return nil, err
	}
	return map[string][]byte{
		overlayWebhookDir + "/kustomization.yaml": webhook,
		overlayWebhookDir + "/gitward.yaml":       gitwardYAML,
		overlayAgentDir + "/kustomization.yaml":   agent,
		overlayAgentDir + "/gitward.yaml":         gitwardYAML,
	}, nil
}
