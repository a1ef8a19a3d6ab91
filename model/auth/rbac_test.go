package auth

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

func store(t *testing.T, objs ...sim.Object) *sim.Store {
	t.Helper()
	s := sim.NewStore(sim.New(nil))
	for _, r := range BootstrapClusterRoles() {
		r.Kind = "ClusterRole"
		objs = append(objs, r)
	}
	for _, o := range objs {
		if _, err := s.Create(o); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func roleBinding(name, ns, roleKind, role string, subjects ...rbacv1.Subject) *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{TypeMeta: metav1.TypeMeta{Kind: "RoleBinding"}, ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: roleKind, Name: role}, Subjects: subjects}
}

func createPods(user apiserver.UserInfo, ns string) apiserver.Attributes {
	return apiserver.Attributes{User: user, Verb: "create", Resource: "pods", Namespace: ns, IsResource: true}
}

func TestRBACDecisions(t *testing.T) {
	jane := apiserver.UserInfo{Name: "jane", Groups: []string{"developers", apiserver.AllAuthenticated}}
	deployer := apiserver.UserInfo{Name: "system:serviceaccount:ci:deployer", Groups: []string{"system:serviceaccounts", "system:serviceaccounts:ci", apiserver.AllAuthenticated}}
	s := store(t,
		roleBinding("jane-edit", "team-a", "ClusterRole", "edit", rbacv1.Subject{Kind: rbacv1.UserKind, Name: "jane"}),
		roleBinding("devs-view", "team-b", "ClusterRole", "view", rbacv1.Subject{Kind: rbacv1.GroupKind, Name: "developers"}),
		roleBinding("deployer", "ci", "ClusterRole", "edit", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "deployer"}),
		roleBinding("dangling", "team-c", "Role", "pod-writer", rbacv1.Subject{Kind: rbacv1.UserKind, Name: "jane"}),
	)
	rbac := RBAC{Store: s}
	for _, tc := range []struct {
		name   string
		attrs  apiserver.Attributes
		want   apiserver.Decision
		reason string
	}{
		{"RoleBinding to a ClusterRole grants in its namespace", createPods(jane, "team-a"), apiserver.Allow,
			`RBAC: allowed by RoleBinding "jane-edit/team-a" of ClusterRole "edit" to User "jane"`},
		{"and nowhere else", createPods(jane, "team-d"), apiserver.NoOpinion, ""},
		{"view does not create", createPods(jane, "team-b"), apiserver.NoOpinion, ""},
		{"a group grant", apiserver.Attributes{User: jane, Verb: "list", Resource: "pods", Namespace: "team-b", IsResource: true}, apiserver.Allow,
			`RBAC: allowed by RoleBinding "devs-view/team-b" of ClusterRole "view" to Group "developers"`},
		{"a service account subject defaults to the binding's namespace", createPods(deployer, "ci"), apiserver.Allow,
			`RBAC: allowed by RoleBinding "deployer/ci" of ClusterRole "edit" to ServiceAccount "deployer/ci"`},
		{"a missing role grants nothing and says so", createPods(jane, "team-c"), apiserver.NoOpinion,
			`RBAC: role.rbac.authorization.k8s.io "pod-writer" not found`},
		{"edit does not reach quotas", apiserver.Attributes{User: jane, Verb: "create", Resource: "resourcequotas", Namespace: "team-a", IsResource: true}, apiserver.NoOpinion, ""},
		{"discovery for every authenticated user", apiserver.Attributes{User: jane, Verb: "get", Path: "/version"}, apiserver.NoOpinion, ""},
	} {
		got, reason := rbac.Authorize(tc.attrs)
		if got != tc.want || reason != tc.reason {
			t.Errorf("%s: got %v %q, want %v %q", tc.name, got, reason, tc.want, tc.reason)
		}
	}
}

func TestAggregatedRolesTakeTheRulesOfTheRolesTheySelect(t *testing.T) {
	extra := &rbacv1.ClusterRole{TypeMeta: metav1.TypeMeta{Kind: "ClusterRole"},
		ObjectMeta: metav1.ObjectMeta{Name: "crontab-viewer", Labels: map[string]string{"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
		Rules:      []rbacv1.PolicyRule{rule(read, []string{"stable.example.com"}, "crontabs")}}
	s := store(t, extra, roleBinding("v", "ns", "ClusterRole", "admin", rbacv1.Subject{Kind: rbacv1.UserKind, Name: "ann"}))
	ann := apiserver.UserInfo{Name: "ann"}
	// admin aggregates edit, which aggregates view, which now holds crontabs.
	a := apiserver.Attributes{User: ann, Verb: "list", APIGroup: "stable.example.com", Resource: "crontabs", Namespace: "ns", IsResource: true}
	if d, _ := (RBAC{Store: s}).Authorize(a); d != apiserver.Allow {
		t.Fatal("admin does not reach a rule aggregated into view")
	}
}

func TestNodeAuthorizer(t *testing.T) {
	node := apiserver.UserInfo{Name: "system:node:node01", Groups: []string{apiserver.SystemNodesGroup, apiserver.AllAuthenticated}}
	n := Node{Store: store(t)}
	for _, tc := range []struct {
		name  string
		attrs apiserver.Attributes
		want  apiserver.Decision
	}{
		{"pod status", apiserver.Attributes{User: node, Verb: "patch", Resource: "pods", Subresource: "status", Namespace: "default", Name: "web", IsResource: true}, apiserver.Allow},
		{"an unrelated secret", apiserver.Attributes{User: node, Verb: "get", Resource: "secrets", Namespace: "default", Name: "db", IsResource: true}, apiserver.NoOpinion},
		{"node rules: events", apiserver.Attributes{User: node, Verb: "create", Resource: "events", Namespace: "default", IsResource: true}, apiserver.Allow},
		{"not a node", apiserver.Attributes{User: apiserver.UserInfo{Name: "jane"}, Verb: "patch", Resource: "pods", Subresource: "status", IsResource: true}, apiserver.NoOpinion},
	} {
		if got, _ := n.Authorize(tc.attrs); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The 403 wording for each kind of request
// (apiserver/pkg/endpoints/handlers/responsewriters/errors.go; examples in
// ../shared/k8s-reference.md, section 1).
func TestForbiddenMessages(t *testing.T) {
	jane := apiserver.UserInfo{Name: "jane"}
	sa := apiserver.UserInfo{Name: "system:serviceaccount:ci:deployer"}
	for _, tc := range []struct {
		attrs apiserver.Attributes
		want  string
	}{
		{apiserver.Attributes{User: jane, Verb: "create", Resource: "pods", Namespace: "default", IsResource: true},
			`pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the namespace "default"`},
		{apiserver.Attributes{User: jane, Verb: "get", Resource: "pods", Subresource: "log", Name: "web", Namespace: "default", IsResource: true},
			`pods "web" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "default"`},
		{apiserver.Attributes{User: sa, Verb: "list", APIGroup: "apps", Resource: "deployments", Namespace: "prod", IsResource: true},
			`deployments.apps is forbidden: User "system:serviceaccount:ci:deployer" cannot list resource "deployments" in API group "apps" in the namespace "prod"`},
		{apiserver.Attributes{User: jane, Verb: "list", Resource: "nodes", IsResource: true},
			`nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope`},
		{apiserver.Attributes{User: apiserver.UserInfo{Name: "system:anonymous"}, Verb: "get", Path: "/metrics"},
			`forbidden: User "system:anonymous" cannot get path "/metrics"`},
	} {
		if got := apiserver.Forbidden(tc.attrs, "").Error(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}
