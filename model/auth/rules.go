// Package auth holds the model's authorizers as kube-apiserver chains them
// after the system:masters rule: the Node authorizer, then RBAC, reading
// roles and bindings from the store like the real RBAC authorizer reads its
// informers.
package auth

import (
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/podlife/podlife/model/apiserver"
)

// RuleAllows reports whether one policy rule allows a request
// (pkg/apis/rbac/v1/evaluation_helpers.go): every field matches exactly or
// by "*"; a resource rule matches "resource/subresource" as one string, or
// "*/subresource"; resourceNames, when given, must name the object, so they
// never allow a create, which has no name yet.
func RuleAllows(a apiserver.Attributes, rule *rbacv1.PolicyRule) bool {
	if !matches(rule.Verbs, a.Verb) {
		return false
	}
	if !a.IsResource {
		return nonResourceURLMatches(rule.NonResourceURLs, a.Path)
	}
	if !matches(rule.APIGroups, a.APIGroup) || !resourceMatches(rule.Resources, a.Resource, a.Subresource) {
		return false
	}
	return len(rule.ResourceNames) == 0 || contains(rule.ResourceNames, a.Name)
}

// RulesAllow reports whether any rule allows the request.
func RulesAllow(a apiserver.Attributes, rules ...rbacv1.PolicyRule) bool {
	for i := range rules {
		if RuleAllows(a, &rules[i]) {
			return true
		}
	}
	return false
}

func matches(set []string, value string) bool {
	return contains(set, rbacv1.VerbAll) || contains(set, value)
}

func contains(set []string, value string) bool {
	for _, s := range set {
		if s == value {
			return true
		}
	}
	return false
}

func resourceMatches(set []string, resource, subresource string) bool {
	combined := resource
	if subresource != "" {
		combined += "/" + subresource
	}
	for _, r := range set {
		switch {
		case r == rbacv1.ResourceAll, r == combined:
			return true
		case subresource != "" && r == "*/"+subresource:
			return true
		}
	}
	return false
}

func nonResourceURLMatches(set []string, path string) bool {
	for _, u := range set {
		switch {
		case u == rbacv1.NonResourceAll, u == path:
			return true
		case strings.HasSuffix(u, "*") && strings.HasPrefix(path, strings.TrimSuffix(u, "*")):
			return true
		}
	}
	return false
}
