package cluster

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	_ "github.com/podlife/podlife/internal/testflags" // -update, -backend, -kubeconfig for go test ./...
)

func testNames() *names {
	return &names{suffix: "-pl0a1b2c", created: map[string]bool{"Node/node01": true, "PriorityClass/critical": true}}
}

// A pod lands in the scenario's namespace and names the scenario's node and
// PriorityClass by their run names; a node it never made keeps its name.
func TestAPodIsRenamedIntoTheScenario(t *testing.T) {
	n := testNames()
	var pod corev1.Pod
	if err := yaml.Unmarshal([]byte(`
metadata: {name: web}
spec:
  nodeName: node01
  priorityClassName: critical
  nodeSelector: {kubernetes.io/hostname: node01, zone: a}
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: kubernetes.io/hostname, operator: In, values: [node01, node09]}
          - {key: zone, operator: In, values: [node01]}
  containers: [{name: node01, image: nginx}]
`), &pod); err != nil {
		t.Fatal(err)
	}
	n.rename(&pod, corev1.SchemeGroupVersion.WithKind("Pod"), true)
	got, _ := json.Marshal(pod)
	want := `{"metadata":{"name":"web","namespace":"default-pl0a1b2c"},"spec":{"containers":[{"name":"node01","image":"nginx","resources":{}}],` +
		`"nodeSelector":{"kubernetes.io/hostname":"node01-pl0a1b2c","zone":"a"},"nodeName":"node01-pl0a1b2c",` +
		`"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[` +
		`{"key":"kubernetes.io/hostname","operator":"In","values":["node01-pl0a1b2c","node09"]},{"key":"zone","operator":"In","values":["node01"]}]}]}}},` +
		`"priorityClassName":"critical-pl0a1b2c"},"status":{}}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("renamed pod (-want +got):\n%s", diff)
	}
	var back corev1.Pod
	if err := json.Unmarshal([]byte(n.back(string(got))), &back); err != nil || back.Namespace != "default" || back.Spec.NodeName != "node01" || back.Spec.PriorityClassName != "critical" {
		t.Errorf("read back as %s/%s on %q with %q (%v)", back.Namespace, back.Name, back.Spec.NodeName, back.Spec.PriorityClassName, err)
	}
}

// Cluster-scoped objects a scenario makes get the suffix, and later
// references follow; built-in ClusterRoles keep their names.
func TestClusterScopedObjectsAndTheirReferences(t *testing.T) {
	n := &names{suffix: "-plx", created: map[string]bool{}}
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "pod-reader"}}
	n.rename(role, rbacv1.SchemeGroupVersion.WithKind("ClusterRole"), false)
	ownBinding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "b", Namespace: "team-a"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "deployer", Namespace: "team-a"}, {Kind: "User", Name: "jane"}},
		RoleRef:  rbacv1.RoleRef{Kind: "ClusterRole", Name: "pod-reader"}}
	n.rename(ownBinding, rbacv1.SchemeGroupVersion.WithKind("RoleBinding"), true)
	builtin := &rbacv1.RoleBinding{RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "edit"}}
	n.rename(builtin, rbacv1.SchemeGroupVersion.WithKind("RoleBinding"), true)
	for _, c := range []struct{ got, want string }{
		{role.Name, "pod-reader-plx"},
		{ownBinding.Namespace, "team-a-plx"},
		{ownBinding.RoleRef.Name, "pod-reader-plx"},
		{ownBinding.Subjects[0].Namespace, "team-a-plx"},
		{ownBinding.Subjects[1].Name, "jane"},
		{builtin.Namespace, "default-plx"},
		{builtin.RoleRef.Name, "edit"},
		{n.user("system:serviceaccount:team-a:deployer"), "system:serviceaccount:team-a-plx:deployer"},
		{n.user("jane"), "jane"},
		{n.back(`pods is forbidden: User "system:serviceaccount:team-a-plx:deployer" cannot create resource "pods" in API group "" in the namespace "team-a-plx"`),
			`pods is forbidden: User "system:serviceaccount:team-a:deployer" cannot create resource "pods" in API group "" in the namespace "team-a"`},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// A local volume's node affinity and its claim's class follow the renames.
func TestVolumesFollowTheirNodesAndClasses(t *testing.T) {
	n := &names{suffix: "-plx", created: map[string]bool{"Node/node02": true, "StorageClass/local": true}}
	var pv corev1.PersistentVolume
	if err := yaml.Unmarshal([]byte(`
metadata: {name: disk}
spec:
  storageClassName: local
  claimRef: {namespace: default, name: data}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [node02]}]
`), &pv); err != nil {
		t.Fatal(err)
	}
	n.rename(&pv, corev1.SchemeGroupVersion.WithKind("PersistentVolume"), false)
	class := "local"
	claim := &corev1.PersistentVolumeClaim{Spec: corev1.PersistentVolumeClaimSpec{StorageClassName: &class, VolumeName: "disk"}}
	n.rename(claim, corev1.SchemeGroupVersion.WithKind("PersistentVolumeClaim"), true)
	for _, c := range []struct{ got, want string }{
		{pv.Name, "disk-plx"},
		{pv.Spec.StorageClassName, "local-plx"},
		{pv.Spec.ClaimRef.Namespace, "default-plx"},
		{pv.Spec.NodeAffinity.Required.NodeSelectorTerms[0].MatchExpressions[0].Values[0], "node02-plx"},
		{*claim.Spec.StorageClassName, "local-plx"},
		{claim.Spec.VolumeName, "disk-plx"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// A webhook configuration is the scenario's own (renamed, so removed when
// it ends), calls the Service in the scenario's namespace, and its
// namespaceSelector names the renamed namespaces.
func TestAWebhookIsRenamedIntoTheScenario(t *testing.T) {
	n := testNames()
	var cfg admissionregistrationv1.ValidatingWebhookConfiguration
	if err := yaml.Unmarshal([]byte(`
metadata: {name: pod-guard}
webhooks:
- name: pod-guard.example.com
  clientConfig: {service: {namespace: policy, name: guard}}
  namespaceSelector:
    matchLabels: {kubernetes.io/metadata.name: team-a}
    matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [policy]}, {key: tier, operator: In, values: [policy]}]
`), &cfg); err != nil {
		t.Fatal(err)
	}
	n.rename(&cfg, admissionregistrationv1.SchemeGroupVersion.WithKind("ValidatingWebhookConfiguration"), false)
	got, _ := json.Marshal(cfg)
	want := `{"metadata":{"name":"pod-guard-pl0a1b2c"},"webhooks":[{"name":"pod-guard.example.com","clientConfig":{"service":{"namespace":"policy-pl0a1b2c","name":"guard"}},` +
		`"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"team-a-pl0a1b2c"},"matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["policy-pl0a1b2c"]},{"key":"tier","operator":"In","values":["policy"]}]},` +
		`"sideEffects":null,"admissionReviewVersions":null}]}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("renamed webhook configuration (-want +got):\n%s", diff)
	}
}
