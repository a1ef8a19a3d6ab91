package main

import (
	"strings"
	"testing"
)

const rbacCluster = `apiVersion: v1
kind: Namespace
metadata:
  name: team-a
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: jane-edits
  namespace: team-a
subjects:
- kind: User
  name: jane
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: edit
`

func TestExplainNamesTheBindingAndRuleThatAllow(t *testing.T) {
	file := writeFile(t, "cluster.yaml", rbacCluster)
	out, stderr, code := runCLI(t, "explain", "--cluster", file, "--as", "jane", "create", "pods", "-n", "team-a")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s\n%s", code, stderr, out)
	}
	for _, want := range []string{
		"yes\n",
		`Allowed by the RBAC authorizer: RBAC: allowed by RoleBinding "jane-edits/team-a" of ClusterRole "edit" to User "jane".`,
		"Matching rule: verbs=create,update,patch,delete,deletecollection apiGroups=\"\" resources=pods,",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestExplainADenialShowsTheForbiddenMessageAndExitsOne(t *testing.T) {
	file := writeFile(t, "cluster.yaml", rbacCluster)
	out, _, code := runCLI(t, "explain", "--cluster", file, "--as", "jane", "get", "pods/log", "web", "-n", "default")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	// ../shared/k8s-reference.md, section 1.
	want := `pods "web" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "default"`
	if !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	out, _, code = runCLI(t, "explain", "--as", "system:anonymous", "get", "/metrics")
	if code != 1 || !strings.Contains(out, `forbidden: User "system:anonymous" cannot get path "/metrics"`) {
		t.Errorf("anonymous /metrics: exit %d\n%s", code, out)
	}
}

func TestExplainRejectsABadClusterFileWithItsPosition(t *testing.T) {
	file := writeFile(t, "cluster.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labelz: {}\n")
	_, stderr, code := runCLI(t, "explain", "--cluster", file, "--as", "jane", "create", "pods")
	if code != 2 || !strings.Contains(stderr, "cluster.yaml:5:3") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// A resource is named as kubectl names it: plural, singular or short
// name, with or without its group; kubectl's discovery finds the group,
// so "deployments" asks about deployments.apps, as on a real cluster.
func TestExplainResolvesResourcesAsKubectlDoes(t *testing.T) {
	file := writeFile(t, "cluster.yaml", rbacCluster)
	for _, arg := range []string{"deployments", "deployment", "deploy", "deployments.apps", "Deployments.v1.apps"} {
		out, stderr, code := runCLI(t, "explain", "--cluster", file, "--as", "jane", "create", arg, "-n", "team-a")
		if code != 0 || stderr != "" || !strings.Contains(out, `asks to create deployments.apps in namespace "team-a"`) {
			t.Errorf("%s: exit %d, stderr %q\n%s", arg, code, stderr, out)
		}
	}
	out, _, code := runCLI(t, "explain", "--cluster", file, "--as", "jane", "get", "po/log", "web", "-n", "team-a")
	if code != 0 || !strings.Contains(out, "asks to get pods/log") {
		t.Errorf("po/log: exit %d\n%s", code, out)
	}
}

// kubectl auth can-i's warnings, word for word on stderr (kubectl's
// pkg/cmd/auth/cani.go; its warning printer adds a newline to messages
// that end in one), and the model's own for a resource it does not serve
// named without a group.
func TestExplainWarnsAsKubectlAuthCanIDoes(t *testing.T) {
	file := writeFile(t, "cluster.yaml", rbacCluster)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"frob", "pods", "-n", "team-a"}, "Warning: verb 'frob' is not a known verb\n\n"},
		{[]string{"frob", "/metrics"}, "Warning: verb 'frob' is not a known verb\n\n"},
		{[]string{"get", "nodes", "-n", "team-a"}, "Warning: resource 'nodes' is not namespace scoped\n\n"},
		{[]string{"get", "storageclasses", "-n", "team-a"}, "Warning: resource 'storageclasses' is not namespace scoped in group 'storage.k8s.io'\n\n"},
		{[]string{"create", "widgets", "-n", "team-a"}, "Warning: the server doesn't have a resource type 'widgets'\n\n"},
		{[]string{"create", "jobs", "-n", "team-a"}, ""},
		{[]string{"create", "jobs.batch", "-n", "team-a"}, ""},
		{[]string{"get", "nodes"}, ""},
		{[]string{"list", "*", "-n", "team-a"}, ""},
	} {
		_, stderr, _ := runCLI(t, append([]string{"explain", "--cluster", file, "--as", "jane"}, c.args...)...)
		if stderr != c.want {
			t.Errorf("%v: stderr %q, want %q", c.args, stderr, c.want)
		}
	}
}

func TestExplainPodSaysWhyItIsNotRunning(t *testing.T) {
	out, stderr, code := runCLI(t, "explain", "pod", "web", "--cluster", "../../examples/cluster.yaml",
		"--cluster", "../../examples/faults.yaml", "-f", "../../examples/web-typo.yaml", "--for", "2m")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (not running); stderr %s\n%s", code, stderr, out)
	}
	for _, want := range []string{
		"pod default/web: Pending, not Ready\n",
		`- container "web" is waiting: ImagePullBackOff: Back-off pulling image "nginx:1.277": ErrImagePull: rpc error: code = NotFound`,
		"Warning Failed: Failed to pull image \"nginx:1.277\"",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	pod := writeFile(t, "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n")
	out, stderr, code = runCLI(t, "explain", "pod", "web", "--cluster", "../../examples/cluster.yaml", "-f", pod)
	if code != 0 || out != "pod default/web: Running, Ready\n" {
		t.Errorf("a running pod: exit %d, stderr %s\n%s", code, stderr, out)
	}
	if _, stderr, code = runCLI(t, "explain", "pod", "web", "--cluster", "../../examples/cluster.yaml", "-f", pod, "--for", "soon"); code != 2 || !strings.Contains(stderr, `--for "soon"`) {
		t.Errorf("a bad --for: exit %d, stderr %s", code, stderr)
	}
}

func TestAFaultsDocumentWithMistakesNamesEachField(t *testing.T) {
	faults := writeFile(t, "faults.yaml", `apiVersion: podlife.dev/v1alpha1
kind: Faults
images:
- image: shop:2.0
  exits: {code: 1, after: 3x}
- image: web:1
  registry: Gone
nodes:
- name: node09
  cni: {fails: 2}
csiDrivers:
- name: ebs.csi.aws.com
  attach: {fails: 2}
`)
	pod := writeFile(t, "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n")
	_, stderr, code := runCLI(t, "apply", "--cluster", "../../examples/cluster.yaml", "--cluster", faults, "-f", pod)
	if code != 2 {
		t.Fatalf("exit %d, want 2; stderr %s", code, stderr)
	}
	for _, want := range []string{
		faults + `:5:20: "3x" is not a duration such as 500ms or 5s`,
		faults + `:7:3: registry: "Gone": say NotFound, Unauthorized or Unreachable`,
		faults + `:9:3: no node "node09": the cluster file has node01, node02`,
		faults + `:13:3: attach: say the error its external-attacher reports as message, or hangs: true`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}
