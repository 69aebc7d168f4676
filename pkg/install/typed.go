package install

import (
	"fmt"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// fromUnstructured converts a rendered object to its typed form.
func fromUnstructured(u *unstructured.Unstructured, into any) error {
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, into); err != nil {
		return fmt.Errorf("install: %s %s: %w", u.GetKind(), u.GetName(), err)
	}
	return nil
}

// toUnstructured converts a typed object back, leaving out what the typed
// form adds and the bases never say (creationTimestamp: null, status: {}).
func toUnstructured(obj any) (*unstructured.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("install: %T: %w", obj, err)
	}
	dropNullTimestamps(m)
	if s, ok := m["status"].(map[string]any); ok && len(s) == 0 {
		delete(m, "status")
	}
	if spec, ok := m["spec"].(map[string]any); ok {
		if s, ok := spec["strategy"].(map[string]any); ok && len(s) == 0 {
			delete(spec, "strategy") // a Deployment's, which the bases leave to the defaults
		}
	}
	return &unstructured.Unstructured{Object: m}, nil
}

func dropNullTimestamps(v any) {
	switch t := v.(type) {
	case map[string]any:
		if ts, ok := t["creationTimestamp"]; ok && ts == nil {
			delete(t, "creationTimestamp")
		}
		for _, c := range t {
			dropNullTimestamps(c)
		}
	case []any:
		for _, c := range t {
			dropNullTimestamps(c)
		}
	}
}

// editDeployment applies edit to the typed form of a rendered Deployment.
func editDeployment(u *unstructured.Unstructured, edit func(*appsv1.Deployment) error) (*unstructured.Unstructured, error) {
	var d appsv1.Deployment
	if err := fromUnstructured(u, &d); err != nil {
		return nil, err
	}
	if len(d.Spec.Template.Spec.Containers) == 0 {
		return nil, fmt.Errorf("install: Deployment %s has no container", d.Name)
	}
	if err := edit(&d); err != nil {
		return nil, err
	}
	return toUnstructured(&d)
}

// webhookDeployment sets the webhook's command, arguments, Git credentials
// and, with cert-manager, the certificate volume.
func (o *Options) webhookDeployment(d *appsv1.Deployment) error {
	c := &d.Spec.Template.Spec.Containers[0]
	c.Command = []string{"gitward-webhook"}
	c.Args = []string{"serve", "--config=" + configMount, "--mode=" + o.WebhookMode, "--break-glass-group=gitward:break-glass"}
	if o.CertManager {
		c.Args = append(c.Args, "--cert-dir="+certManagerMount)
		mount(d, corev1.Volume{Name: "tls", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: tlsSecret}}}, certManagerMount)
	} else {
		c.Args = append(c.Args, "--self-bootstrap", "--webhook-config-name="+webhookName, "--cert-dir=/tmp/serving-certs")
	}
	c.Args = append(c.Args, o.gitArgs("--token-file", "--username", "--ssh-key-file", "--known-hosts-file")...)
	o.mountGit(d)
	return nil
}

// agentDeployment sets the agent's command and arguments (the sources come
// from the generated gitward.yaml), its Git credentials and push secret.
func (o *Options) agentDeployment(d *appsv1.Deployment) error {
	c := &d.Spec.Template.Spec.Containers[0]
	c.Command = []string{"gitward-agent"}
	c.Args = []string{"run", "--gitward-config=" + configMount, "--work-dir=/work", "--interval=5m"}
	c.Args = append(c.Args, o.gitArgs("--git-token-file", "--git-username", "--git-ssh-key-file", "--git-known-hosts-file")...)
	// The base mounts both Secrets optionally; keep only what is asked for,
	// each one required, so a missing Secret shows as the Pod's event
	// instead of an agent that cannot read its file.
	unmount(d, "git")
	unmount(d, "webhook")
	o.mountGit(d)
	if o.PushWebhookSecret != "" {
		c = &d.Spec.Template.Spec.Containers[0]
		c.Args = append(c.Args, "--webhook-secret-file="+pushSecretMount+"/secret")
		mount(d, corev1.Volume{Name: "webhook", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: o.PushWebhookSecret}}}, pushSecretMount)
	}
	return nil
}

// gitArgs are the credential flags of a program, given its flag names.
func (o *Options) gitArgs(token, user, sshKey, knownHosts string) []string {
	g := o.Git
	if g.Secret == "" {
		return nil
	}
	var args []string
	if g.Kind == GitSSH {
		args = []string{sshKey + "=" + GitMountPath + "/" + GitSSHKeyKey, knownHosts + "=" + GitMountPath + "/" + GitKnownHostsKey}
	} else {
		args = []string{token + "=" + GitMountPath + "/" + GitTokenKey}
	}
	if g.Username != "" {
		args = append(args, user+"="+g.Username)
	}
	return args
}

func (o *Options) mountGit(d *appsv1.Deployment) {
	if o.Git.Secret == "" {
		return
	}
	mount(d, corev1.Volume{Name: "git", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: o.Git.Secret}}}, GitMountPath)
}

// mount adds (or replaces) a read-only volume of the first container.
func mount(d *appsv1.Deployment, v corev1.Volume, path string) {
	unmount(d, v.Name)
	spec := &d.Spec.Template.Spec
	spec.Volumes = append(spec.Volumes, v)
	c := &spec.Containers[0]
	c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: v.Name, MountPath: path, ReadOnly: true})
}

func unmount(d *appsv1.Deployment, name string) {
	spec := &d.Spec.Template.Spec
	var vols []corev1.Volume
	for _, v := range spec.Volumes {
		if v.Name != name {
			vols = append(vols, v)
		}
	}
	spec.Volumes = vols
	for i := range spec.Containers {
		var ms []corev1.VolumeMount
		for _, m := range spec.Containers[i].VolumeMounts {
			if m.Name != name {
				ms = append(ms, m)
			}
		}
		spec.Containers[i].VolumeMounts = ms
	}
}

// editVWC sets cert-manager's CA injection on the webhook configuration.
func (o *Options) editVWC(u *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	if !o.CertManager {
		return u, nil
	}
	var vwc admissionv1.ValidatingWebhookConfiguration
	if err := fromUnstructured(u, &vwc); err != nil {
		return nil, err
	}
	if vwc.Annotations == nil {
		vwc.Annotations = map[string]string{}
	}
	vwc.Annotations["cert-manager.io/inject-ca-from"] = o.Namespace + "/" + webhookName
	return toUnstructured(&vwc)
}

// FailOpen returns a copy of a ValidatingWebhookConfiguration whose
// webhooks have failurePolicy Ignore: what Apply installs until the webhook
// answers, so that a webhook that is not running yet refuses nothing.
func FailOpen(u *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	var vwc admissionv1.ValidatingWebhookConfiguration
	if err := fromUnstructured(u, &vwc); err != nil {
		return nil, err
	}
	ignore := admissionv1.Ignore
	for i := range vwc.Webhooks {
		vwc.Webhooks[i].FailurePolicy = &ignore
	}
	return toUnstructured(&vwc)
}
