package webhookserver

import "github.com/gitward/gitward/pkg/provenance"

// commonKeys interns the object keys nearly every Kubernetes object carries,
// so that decoding them allocates nothing. It is read-only.
var commonKeys = func() map[string]string {
	keys := []string{
		"apiVersion", "kind", "metadata", "spec", "status", "data", "binaryData", "stringData", "type",
		"name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
		"deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences",
		"finalizers", "managedFields", "manager", "operation", "time", "fieldsType", "fieldsV1",
		"subresource", "controller", "blockOwnerDeletion", "generateName", "selfLink",
		"replicas", "selector", "matchLabels", "matchExpressions", "template", "containers",
		"initContainers", "image", "imagePullPolicy", "ports", "containerPort", "protocol", "port",
		"targetPort", "nodePort", "resources", "requests", "limits", "cpu", "memory", "env", "value",
		"valueFrom", "args", "command", "volumeMounts", "mountPath", "volumes", "terminationMessagePath",
		"terminationMessagePolicy", "restartPolicy", "dnsPolicy", "schedulerName", "securityContext",
		"terminationGracePeriodSeconds", "strategy", "rollingUpdate", "maxSurge", "maxUnavailable",
		"revisionHistoryLimit", "progressDeadlineSeconds", "serviceAccountName", "serviceAccount",
		"key", "operator", "values", "clusterIP", "clusterIPs", "sessionAffinity", "ipFamilies",
		"ipFamilyPolicy", "internalTrafficPolicy", "conditions", "lastTransitionTime", "lastUpdateTime",
		"message", "reason", "observedGeneration", "readyReplicas", "availableReplicas",
		"updatedReplicas", "unavailableReplicas", "app", "livenessProbe", "readinessProbe",
		"httpGet", "path", "tolerations", "affinity", "nodeSelector", "configMap", "secret", "items",
		"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/managed-by",
		provenance.LabelSource, provenance.AnnotationCommit, provenance.AnnotationDigest, provenance.LastAppliedAnnotation,
		"deployment.kubernetes.io/revision", "pod-template-hash",
	}
	m := make(map[string]string, len(keys))
	for _, k := range keys {
		m[k] = k
	}
	return m
}()
