package install

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// agentNetworkPolicy lets the agent reach only the API server, the Git
// host and DNS, and be reached on its push webhook, metrics and probe
// ports. No ports on the egress rules: the API server's Service port is
// translated to the endpoint's (443 → 6443 or another) before the policy
// sees it, and Git hosts listen on 443, 22, 9418 or their own.
func (o *Options) agentNetworkPolicy() (*unstructured.Unstructured, error) {
	blocks := func(cidrs []string) []networkingv1.NetworkPolicyPeer {
		var peers []networkingv1.NetworkPolicyPeer
		for _, c := range cidrs {
			peers = append(peers, networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: c}})
		}
		return peers
	}
	tcp, udp := corev1.ProtocolTCP, corev1.ProtocolUDP
	port := func(p corev1.Protocol, n int) networkingv1.NetworkPolicyPort {
		v := intstr.FromInt32(int32(n))
		return networkingv1.NetworkPolicyPort{Protocol: &p, Port: &v}
	}
	np := &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: agentName, Namespace: o.Namespace, Labels: map[string]string{"app.kubernetes.io/name": agentName}},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": agentName}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{ // push webhook, metrics, kubelet probes
				Ports: []networkingv1.NetworkPolicyPort{port(tcp, 8090), port(tcp, 8080), port(tcp, 8081)},
			}},
			Egress: []networkingv1.NetworkPolicyEgressRule{
				{To: blocks(o.APIServerCIDRs)}, // --api-server-cidr
				{To: blocks(o.GitCIDRs)},       // --git-cidr
				{ // DNS
					To: []networkingv1.NetworkPolicyPeer{{
						NamespaceSelector: &metav1.LabelSelector{},
						PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "kube-dns"}},
					}},
					Ports: []networkingv1.NetworkPolicyPort{port(udp, 53), port(tcp, 53)},
				},
			},
		},
	}
	return toUnstructured(np)
}

// certManagerObjects are a self-signed Issuer and the webhook's Certificate
// (cert-manager's types are not a dependency of this module: plain maps).
func (o *Options) certManagerObjects() []*unstructured.Unstructured {
	svc := webhookName + "." + o.Namespace + ".svc"
	issuer := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "cert-manager.io/v1", "kind": "Issuer",
		"metadata": map[string]any{"name": "gitward-webhook-selfsigned", "namespace": o.Namespace},
		"spec":     map[string]any{"selfSigned": map[string]any{}},
	}}
	cert := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
		"metadata": map[string]any{"name": webhookName, "namespace": o.Namespace},
		"spec": map[string]any{
			"secretName": tlsSecret,
			"dnsNames":   []any{svc, svc + ".cluster.local"},
			"issuerRef":  map[string]any{"name": "gitward-webhook-selfsigned", "kind": "Issuer"},
			"privateKey": map[string]any{"algorithm": "ECDSA", "size": int64(256), "rotationPolicy": "Always"},
		},
	}}
	return []*unstructured.Unstructured{issuer, cert}
}
