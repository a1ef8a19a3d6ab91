package manifest

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/podlife/podlife/diag"
)

// knownVerbs are the verbs Kubernetes' API servers and built-in
// authorizers use (the resource verbs, plus bind, escalate, impersonate,
// use, approve, sign and attest). The API server stores any verb, but one
// outside this list is almost always a typo that silently grants nothing.
var knownVerbs = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection",
	"proxy", "bind", "escalate", "impersonate", "use", "approve", "sign", "attest", rbacv1.VerbAll}

// check reports mistakes that decode cleanly but cannot be what the author
// meant, each at its field.
func check(d *Document) diag.List {
	var rules []rbacv1.PolicyRule
	switch o := d.Object.(type) {
	case *rbacv1.Role:
		rules = o.Rules
	case *rbacv1.ClusterRole:
		rules = o.Rules
	}
	var errs diag.List
	for i, r := range rules {
		for j, verb := range r.Verbs {
			if !slices.Contains(knownVerbs, verb) {
				path := fmt.Sprintf("rules[%d].verbs[%d]", i, j)
				errs.Add(d.PosOf(path), "%s %q: %s: unknown verb %q: use one of %s", d.GVK.Kind, d.Name, path, verb, strings.Join(knownVerbs, ", "))
			}
		}
	}
	return errs
}
