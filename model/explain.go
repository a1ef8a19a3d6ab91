package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/auth"
)

// Explanation answers "can this user do this, and what decides?", like
// `kubectl auth can-i` with the reasoning shown.
type Explanation struct {
	User    apiserver.UserInfo
	Request string // "create pods in namespace default"
	Allowed bool
	// DecidedBy is the authorizer that allowed, empty when none did.
	DecidedBy string
	// Reason is the deciding authorizer's reason, or the chain's reasons
	// when nobody allowed.
	Reason string
	// Rule is the RBAC rule that allowed, when RBAC did.
	Rule string
	// Bindings are the RBAC bindings that name the user, in walk order.
	Bindings []string
	// Forbidden is the API server's 403 message when nobody allows.
	Forbidden string
	// Warnings are what kubectl auth can-i would warn about the request
	// (an unknown verb, a namespace given for a cluster-scoped resource),
	// and a resource the model does not serve, in kubectl's order.
	Warnings []string
}

// Explain runs a request's attributes through the cluster's authenticator
// and authorizer chain without sending anything. resource is "pods",
// "pods/log" or "deployments.apps"; namespace is empty for cluster scope.
func (c *Cluster) Explain(credential, verb, resource, namespace, name string) (Explanation, error) {
	user, ok := c.API.Authn.Authenticate(credential)
	if !ok {
		return Explanation{}, fmt.Errorf("no user has the token presented for %q: declare the user first", credential)
	}
	attrs := apiserver.Attributes{User: user, Verb: verb, Namespace: namespace, Name: name, IsResource: true}
	if strings.HasPrefix(resource, "/") {
		attrs.IsResource, attrs.Path, attrs.Namespace = false, resource, ""
	} else {
		arg, sub, _ := strings.Cut(resource, "/")
		attrs.Subresource = sub
		if r, ok := c.API.Resolve(arg); ok {
			attrs.Resource, attrs.APIGroup = r.Resource, r.GVK.Group
		} else {
			attrs.Resource, attrs.APIGroup, _ = strings.Cut(arg, ".")
		}
	}
	e := Explanation{User: user, Request: describeRequest(attrs), Warnings: c.canIWarnings(resource, attrs)}
	decision, reason, by := c.API.Authorizer.Authorize(attrs)
	e.Allowed, e.Reason = decision == apiserver.Allow, reason
	if e.Allowed {
		e.DecidedBy = by
	} else {
		e.Forbidden = apiserver.Forbidden(attrs, reason).Error()
	}
	v := auth.RBAC{Store: c.Store}.Explain(attrs)
	e.Bindings = v.Bindings
	if e.Allowed && by == "RBAC" && v.Rule != nil {
		e.Rule = auth.DescribeRule(*v.Rule)
	}
	return e, nil
}

func describeRequest(a apiserver.Attributes) string {
	if !a.IsResource {
		return fmt.Sprintf("%s path %q", a.Verb, a.Path)
	}
	r := a.Resource
	if a.APIGroup != "" {
		r += "." + a.APIGroup
	}
	if a.Subresource != "" {
		r += "/" + a.Subresource
	}
	if a.Name != "" {
		r += fmt.Sprintf(" %q", a.Name)
	}
	if a.Namespace == "" {
		return fmt.Sprintf("%s %s at the cluster scope", a.Verb, r)
	}
	return fmt.Sprintf("%s %s in namespace %q", a.Verb, r, a.Namespace)
}

// Text renders the explanation for people.
func (e Explanation) Text() string {
	var b strings.Builder
	answer := "no"
	if e.Allowed {
		answer = "yes"
	}
	fmt.Fprintf(&b, "%s\n\nUser %q (groups %s) asks to %s.\n", answer, e.User.Name, strings.Join(e.User.Groups, ", "), e.Request)
	if e.Allowed {
		fmt.Fprintf(&b, "Allowed by the %s authorizer", e.DecidedBy)
		if e.Reason != "" {
			fmt.Fprintf(&b, ": %s", e.Reason)
		}
		b.WriteString(".\n")
		if e.Rule != "" {
			fmt.Fprintf(&b, "Matching rule: %s\n", e.Rule)
		}
	} else {
		b.WriteString("No authorizer allows it. The API server would answer 403:\n  " + e.Forbidden + "\n")
	}
	if len(e.Bindings) == 0 {
		b.WriteString("No RBAC binding names this user or its groups.\n")
	} else {
		b.WriteString("RBAC bindings that name this user or its groups:\n")
		for _, s := range e.Bindings {
			b.WriteString("  " + s + "\n")
		}
	}
	return b.String()
}

// Verbs kubectl auth can-i knows (k8s.io/kubectl/pkg/cmd/auth/cani.go,
// resourceVerbs and nonResourceURLVerbs).
var (
	resourceVerbs    = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "use", "bind", "impersonate", "*", "approve", "sign", "escalate", "attest"}
	nonResourceVerbs = []string{"get", "put", "post", "head", "options", "delete", "patch", "*"}
)

// canIWarnings are kubectl auth can-i's warnings about a request, worded as
// it words them (cani.go's Complete, then Validate), with the model's own
// about a resource it does not serve named without a group, whose group
// kubectl would have found by discovery on a real cluster.
func (c *Cluster) canIWarnings(resource string, a apiserver.Attributes) []string {
	var out []string
	if !a.IsResource {
		if !slices.Contains(nonResourceVerbs, a.Verb) {
			out = append(out, fmt.Sprintf("verb '%s' is not a known verb", a.Verb))
		}
		return out
	}
	arg, _, _ := strings.Cut(resource, "/")
	r, known := c.API.Resolve(arg)
	switch {
	case !known && arg != "*" && a.APIGroup == "":
		out = append(out, fmt.Sprintf("the server doesn't have a resource type '%s'", arg)) // kubectl's words
	case known && !r.Namespaced && a.Namespace != "":
		if r.GVK.Group == "" {
			out = append(out, fmt.Sprintf("resource '%s' is not namespace scoped", r.Resource))
		} else {
			out = append(out, fmt.Sprintf("resource '%s' is not namespace scoped in group '%s'", r.Resource, r.GVK.Group))
		}
	}
	if !slices.Contains(resourceVerbs, a.Verb) {
		out = append(out, fmt.Sprintf("verb '%s' is not a known verb", a.Verb))
	}
	return out
}
