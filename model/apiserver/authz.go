package apiserver

import (
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Attributes describe a request the way kube-apiserver's authorizers see it.
type Attributes struct {
	User        UserInfo
	Verb        string
	APIGroup    string
	Resource    string
	Subresource string
	Namespace   string
	Name        string
	Path        string // for non-resource requests
	IsResource  bool
}

// Decision is an authorizer's verdict.
type Decision int

// Decisions, as k8s.io/apiserver/pkg/authorization/authorizer names them.
const (
	NoOpinion Decision = iota
	Allow
	Deny
)

// Authorizer is one link of the authorization chain.
type Authorizer interface {
	Name() string
	Authorize(a Attributes) (Decision, string)
}

// Chain runs authorizers in order: the first Allow or Deny decides,
// NoOpinion passes to the next (k8s.io/apiserver/pkg/authorization/union).
type Chain []Authorizer

// Authorize returns the decision, the reason, and which authorizer decided
// (empty when nobody had an opinion).
func (c Chain) Authorize(a Attributes) (Decision, string, string) {
	var reasons []string
	for _, z := range c {
		d, reason := z.Authorize(a)
		if d != NoOpinion {
			return d, reason, z.Name()
		}
		if reason != "" {
			// union.go prefixes each reason with the authorizer's lower-cased name.
			reasons = append(reasons, strings.ToLower(z.Name())+": "+reason)
		}
	}
	return NoOpinion, strings.Join(reasons, "\n"), ""
}

// Forbidden is the 403 error kube-apiserver returns when no authorizer
// allows a request: forbiddenMessage, then the chain's reason, wrapped by
// NewForbidden with the group-resource and the request's name.
func Forbidden(a Attributes, reason string) error {
	msg := forbiddenMessage(a)
	if reason != "" {
		msg += ": " + reason
	}
	if !a.IsResource {
		return apierrors.NewForbidden(schema.GroupResource{}, "", errors.New(msg))
	}
	return apierrors.NewForbidden(schema.GroupResource{Group: a.APIGroup, Resource: a.Resource}, a.Name, errors.New(msg))
}

// forbiddenMessage is the text kube-apiserver puts in a 403 for an
// authorization failure
// (k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go).
func forbiddenMessage(a Attributes) string {
	if !a.IsResource {
		return fmt.Sprintf("User %q cannot %s path %q", a.User.Name, a.Verb, a.Path)
	}
	resource := a.Resource
	if a.Subresource != "" {
		resource += "/" + a.Subresource
	}
	if a.Namespace != "" {
		return fmt.Sprintf("User %q cannot %s resource %q in API group %q in the namespace %q", a.User.Name, a.Verb, resource, a.APIGroup, a.Namespace)
	}
	return fmt.Sprintf("User %q cannot %s resource %q in API group %q at the cluster scope", a.User.Name, a.Verb, resource, a.APIGroup)
}

// PrivilegedGroup allows every request from system:masters. kube-apiserver
// always puts it in front of the configured authorizers
// (pkg/kubeapiserver/authorizer/reload.go).
type PrivilegedGroup struct{}

// Name implements Authorizer.
func (PrivilegedGroup) Name() string { return "kubernetes.io/system-privileged-group" }

// Authorize implements Authorizer.
func (PrivilegedGroup) Authorize(a Attributes) (Decision, string) {
	if a.User.InGroup(SystemMasters) {
		return Allow, ""
	}
	return NoOpinion, ""
}
