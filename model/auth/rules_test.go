package auth

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/podlife/podlife/model/apiserver"
)

// Cases follow pkg/apis/rbac/v1/evaluation_helpers.go.
func TestRuleAllows(t *testing.T) {
	pods := apiserver.Attributes{Verb: "create", Resource: "pods", Namespace: "team-a", IsResource: true}
	named := apiserver.Attributes{Verb: "get", Resource: "pods", Name: "web", Namespace: "team-a", IsResource: true}
	logs := apiserver.Attributes{Verb: "get", Resource: "pods", Subresource: "log", Name: "web", Namespace: "team-a", IsResource: true}
	deploys := apiserver.Attributes{Verb: "list", APIGroup: "apps", Resource: "deployments", IsResource: true}
	metrics := apiserver.Attributes{Verb: "get", Path: "/metrics/cadvisor"}
	for _, tc := range []struct {
		name string
		rule rbacv1.PolicyRule
		req  apiserver.Attributes
		want bool
	}{
		{"exact", rule([]string{"create"}, core, "pods"), pods, true},
		{"other verb", rule([]string{"get"}, core, "pods"), pods, false},
		{"verb wildcard", rule([]string{"*"}, core, "pods"), pods, true},
		{"other group", rule([]string{"create"}, apps, "pods"), pods, false},
		{"group wildcard", rule([]string{"list"}, []string{"*"}, "deployments"), deploys, true},
		{"resource wildcard", rule([]string{"list"}, apps, "*"), deploys, true},
		{"pods does not cover pods/log", rule([]string{"get"}, core, "pods"), logs, false},
		{"pods/log", rule([]string{"get"}, core, "pods/log"), logs, true},
		{"*/log", rule([]string{"get"}, core, "*/log"), logs, true},
		{"resourceNames match", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: core, Resources: []string{"pods"}, ResourceNames: []string{"web"}}, named, true},
		{"resourceNames other", rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: core, Resources: []string{"pods"}, ResourceNames: []string{"api"}}, named, false},
		{"resourceNames never allow create", rbacv1.PolicyRule{Verbs: []string{"create"}, APIGroups: core, Resources: []string{"pods"}, ResourceNames: []string{"web"}}, pods, false},
		{"non-resource exact", rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/metrics/cadvisor"}}, metrics, true},
		{"non-resource prefix", rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/metrics/*"}}, metrics, true},
		{"non-resource other", rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}, metrics, false},
		{"resource rule never matches a path", rule([]string{"*"}, []string{"*"}, "*"), metrics, false},
	} {
		if got := RuleAllows(tc.req, &tc.rule); got != tc.want {
			t.Errorf("%s: RuleAllows = %v, want %v", tc.name, got, tc.want)
		}
	}
}
