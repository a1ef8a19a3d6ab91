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
