package auth

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// RBAC is the RBAC authorizer (plugin/pkg/auth/authorizer/rbac/rbac.go): it
// walks every ClusterRoleBinding, then the RoleBindings of the request's
// namespace, and allows at the first rule that matches. It never denies;
// with no match it has no opinion, and its reason lists the roles it could
// not resolve.
type RBAC struct{ Store *sim.Store }

// Name implements apiserver.Authorizer.
func (RBAC) Name() string { return "RBAC" }

// Authorize implements apiserver.Authorizer.
func (r RBAC) Authorize(a apiserver.Attributes) (apiserver.Decision, string) {
	v := r.walk(a, false)
	if v.Allowed {
		return apiserver.Allow, "RBAC: allowed by " + v.Source
	}
	if len(v.Errors) > 0 {
		return apiserver.NoOpinion, fmt.Sprintf("RBAC: %v", utilerrors.NewAggregate(v.Errors))
	}
	return apiserver.NoOpinion, ""
}

// Verdict is what RBAC concluded about a request, and why.
type Verdict struct {
	Allowed bool
	// Source names the binding, role and subject that allowed, as RBAC's
	// audit reason does: `ClusterRoleBinding "x" of ClusterRole "y" to User "jane"`.
	Source string
	// Rule is the rule that allowed.
	Rule *rbacv1.PolicyRule
	// Bindings lists every binding that applies to the user, in walk order.
	Bindings []string
	// Errors are role references that did not resolve.
	Errors []error

	explain bool
}

// Explain walks the bindings as Authorize does and reports the verdict.
// Bindings are visited in name order (the real authorizer's informer order
// is unspecified; any order gives the same decision).
func (r RBAC) Explain(a apiserver.Attributes) Verdict { return r.walk(a, true) }

// walk visits the bindings; with explain it also lists every binding that
// applies, which authorizing alone does not need.
func (r RBAC) walk(a apiserver.Attributes, explain bool) Verdict {
	v := Verdict{explain: explain}
	for _, obj := range r.Store.List("ClusterRoleBinding", "") {
		b := obj.(*rbacv1.ClusterRoleBinding)
		if v.visit(a, b.Subjects, b.RoleRef, "", r.rules,
			func(s *rbacv1.Subject) string {
				return fmt.Sprintf("ClusterRoleBinding %q of %s %q to %s", b.Name, b.RoleRef.Kind, b.RoleRef.Name, describeSubject(s, ""))
			}) {
			return v
		}
	}
	if a.Namespace == "" {
		return v
	}
	for _, obj := range r.Store.List("RoleBinding", a.Namespace) {
		b := obj.(*rbacv1.RoleBinding)
		if v.visit(a, b.Subjects, b.RoleRef, a.Namespace, r.rules,
			func(s *rbacv1.Subject) string {
				return fmt.Sprintf("RoleBinding %q of %s %q to %s", b.Name+"/"+b.Namespace, b.RoleRef.Kind, b.RoleRef.Name, describeSubject(s, b.Namespace))
			}) {
			return v
		}
	}
	return v
}

// visit checks one binding and reports whether the walk is over.
func (v *Verdict) visit(a apiserver.Attributes, subjects []rbacv1.Subject, ref rbacv1.RoleRef, namespace string,
	resolve func(rbacv1.RoleRef, string) ([]rbacv1.PolicyRule, error), describe func(*rbacv1.Subject) string) bool {
	i := slices.IndexFunc(subjects, func(s rbacv1.Subject) bool { return appliesToUser(a.User, s, namespace) })
	if i < 0 {
		return false
	}
	if v.explain {
		v.Bindings = append(v.Bindings, describe(&subjects[i]))
	}
	rules, err := resolve(ref, namespace)
	if err != nil {
		v.Errors = append(v.Errors, err)
		return false
	}
	for j := range rules {
		if RuleAllows(a, &rules[j]) {
			v.Allowed, v.Source, v.Rule = true, describe(&subjects[i]), &rules[j]
			return true
		}
	}
	return false
}

// rules resolves a binding's role reference (pkg/registry/rbac/validation/rule.go
// GetRoleReferenceRules); a missing role is the store's NotFound error.
func (r RBAC) rules(ref rbacv1.RoleRef, namespace string) ([]rbacv1.PolicyRule, error) {
	switch ref.Kind {
	case "Role":
		role, ok := r.Store.Get(sim.Key{Kind: "Role", Namespace: namespace, Name: ref.Name}).(*rbacv1.Role)
		if !ok {
			return nil, apierrors.NewNotFound(rbacv1.Resource("role"), ref.Name)
		}
		return role.Rules, nil
	case "ClusterRole":
		role, ok := r.Store.Get(sim.Key{Kind: "ClusterRole", Name: ref.Name}).(*rbacv1.ClusterRole)
		if !ok {
			return nil, apierrors.NewNotFound(rbacv1.Resource("clusterrole"), ref.Name)
		}
		return r.aggregate(role), nil
	}
	return nil, fmt.Errorf("unsupported role reference kind: %q", ref.Kind)
}

// aggregate returns a ClusterRole's rules as the aggregation controller
// leaves them (pkg/controller/clusterroleaggregation): for a role with an
// aggregationRule, the rules of every ClusterRole its selectors match, in
// name order, without duplicates. A selected role may be aggregated itself
// (admin selects edit, which selects view); the controller reaches the same
// fixed point by rewriting roles until nothing changes. The model applies it
// on read, so a role is always aggregated as if the controller had just run.
func (r RBAC) aggregate(role *rbacv1.ClusterRole) []rbacv1.PolicyRule {
	return r.aggregateFrom(role, map[string]bool{})
}

func (r RBAC) aggregateFrom(role *rbacv1.ClusterRole, visiting map[string]bool) []rbacv1.PolicyRule {
	if role.AggregationRule == nil {
		return role.Rules
	}
	visiting[role.Name] = true
	defer delete(visiting, role.Name)
	var rules []rbacv1.PolicyRule
	for _, obj := range r.Store.List("ClusterRole", "") {
		source := obj.(*rbacv1.ClusterRole)
		if visiting[source.Name] || !selected(role.AggregationRule.ClusterRoleSelectors, source.Labels) {
			continue
		}
		for _, rule := range r.aggregateFrom(source, visiting) {
			if !slices.ContainsFunc(rules, func(have rbacv1.PolicyRule) bool { return equalRules(have, rule) }) {
				rules = append(rules, rule)
			}
		}
	}
	return rules
}

func selected(selectors []metav1.LabelSelector, set map[string]string) bool {
	for i := range selectors {
		s, err := metav1.LabelSelectorAsSelector(&selectors[i])
		if err == nil && s.Matches(labels.Set(set)) {
			return true
		}
	}
	return false
}

func equalRules(a, b rbacv1.PolicyRule) bool {
	return slices.Equal(a.Verbs, b.Verbs) && slices.Equal(a.APIGroups, b.APIGroups) && slices.Equal(a.Resources, b.Resources) &&
		slices.Equal(a.ResourceNames, b.ResourceNames) && slices.Equal(a.NonResourceURLs, b.NonResourceURLs)
}

// appliesToUser matches a binding subject (pkg/registry/rbac/validation/rule.go):
// a ServiceAccount subject without a namespace means the binding's own.
func appliesToUser(u apiserver.UserInfo, s rbacv1.Subject, namespace string) bool {
	switch s.Kind {
	case rbacv1.UserKind:
		return u.Name == s.Name
	case rbacv1.GroupKind:
		return u.InGroup(s.Name)
	case rbacv1.ServiceAccountKind:
		ns := namespace
		if s.Namespace != "" {
			ns = s.Namespace
		}
		return ns != "" && u.Name == apiserver.ServiceAccountUsername(ns, s.Name)
	}
	return false
}

func describeSubject(s *rbacv1.Subject, bindingNamespace string) string {
	if s.Kind == rbacv1.ServiceAccountKind {
		ns := s.Namespace
		if ns == "" {
			ns = bindingNamespace
		}
		return fmt.Sprintf("%s %q", s.Kind, s.Name+"/"+ns)
	}
	return fmt.Sprintf("%s %q", s.Kind, s.Name)
}

// DescribeRule prints a rule on one line, for explanations.
func DescribeRule(rule rbacv1.PolicyRule) string {
	if len(rule.NonResourceURLs) > 0 {
		return fmt.Sprintf("verbs=%s nonResourceURLs=%s", strings.Join(rule.Verbs, ","), strings.Join(rule.NonResourceURLs, ","))
	}
	groups := make([]string, len(rule.APIGroups))
	for i, g := range rule.APIGroups {
		groups[i] = fmt.Sprintf("%q", g)
	}
	s := fmt.Sprintf("verbs=%s apiGroups=%s resources=%s", strings.Join(rule.Verbs, ","), strings.Join(groups, ","), strings.Join(rule.Resources, ","))
	if len(rule.ResourceNames) > 0 {
		s += " resourceNames=" + strings.Join(rule.ResourceNames, ",")
	}
	return s
}
