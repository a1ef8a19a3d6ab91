package apiserver

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/authorization/authorizer"

	"github.com/podlife/podlife/model/registry"
	"github.com/podlife/podlife/model/sim"
)

// lookup is what the registry's strategies may ask of this server during a
// request: its authorizer chain and its stored objects.
func (s *Server) lookup() *registry.Lookup {
	return &registry.Lookup{
		Authorizer: strategyAuthorizer{s},
		Get: func(gvk schema.GroupVersionKind, namespace, name string) runtime.Object {
			if obj := s.store.Get(sim.Key{Kind: gvk.Kind, Namespace: namespace, Name: name}); obj != nil {
				return obj
			}
			return nil
		},
	}
}

// strategyAuthorizer puts the model's authorizer chain behind
// apiserver's authorizer interface, for the strategies that check what the
// requesting user may do (an admission policy's paramKind).
type strategyAuthorizer struct{ s *Server }

func (a strategyAuthorizer) Authorize(_ context.Context, attrs authorizer.Attributes) (authorizer.Decision, string, error) {
	u := attrs.GetUser()
	var user UserInfo
	if u != nil {
		user = UserInfo{Name: u.GetName(), UID: u.GetUID(), Groups: u.GetGroups()}
	}
	d, reason, _ := a.s.Authorizer.Authorize(Attributes{User: user, Verb: attrs.GetVerb(), APIGroup: attrs.GetAPIGroup(),
		Resource: attrs.GetResource(), Subresource: attrs.GetSubresource(), Namespace: attrs.GetNamespace(), Name: attrs.GetName(),
		Path: attrs.GetPath(), IsResource: attrs.IsResourceRequest()})
	switch d {
	case Allow:
		return authorizer.DecisionAllow, reason, nil
	case Deny:
		return authorizer.DecisionDeny, reason, nil
	}
	return authorizer.DecisionNoOpinion, reason, nil
}
