package apiserver

import (
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/podlife/podlife/model/sim"
)

// AdmissionRequest is what an admission plugin sees of a create.
type AdmissionRequest struct {
	Operation   string // CREATE
	Resource    Resource
	Subresource string
	Namespace   string
	Name        string
	Object      sim.Object
	// Old is the stored object an UPDATE or DELETE changes.
	Old  sim.Object
	User UserInfo
	// Authorizer is the server's chain, for plugins that ask it.
	Authorizer Chain
	// Store gives plugins the cluster's current objects (namespaces, quotas).
	Store *sim.Store
	// Persist writes an object the plugin changed besides the request's
	// own (ResourceQuota charges usage to its quota this way).
	Persist func(obj sim.Object)
	// Warnings are returned to the client with a successful response.
	Warnings []string
	// Wait is how long the plugins' calls out of the server took (admission
	// webhooks): the request is stored, or refused, and answered that much
	// later. The chain itself runs at once, on what it sees when the
	// request arrives.
	Wait sim.Duration
	// ReinvokeRequested is set by a webhook or policy that changed the
	// object: the mutating plugins run a second time, Reinvoking.
	ReinvokeRequested, Reinvoking bool
	// Memo is what a plugin remembers between its two calls in one
	// request, by plugin name.
	Memo map[string]any
	// Mutations say which webhook or policy changed the object, and how:
	// what kube-apiserver's audit annotations
	// (mutation.webhook.admission.k8s.io/...) would tell.
	Mutations []string
}

// AdmissionPlugin is one admission controller. It implements Mutator,
// Validator or both.
type AdmissionPlugin interface {
	Name() string
	// Handles reports whether the plugin looks at this request at all.
	Handles(r *AdmissionRequest) bool
}

// Mutator may change the object in the mutating phase.
type Mutator interface {
	AdmissionPlugin
	Admit(r *AdmissionRequest) (note string, err error)
}

// UpdateMutator is a Mutator that also changes updates: the built-in
// plugins the model runs mutate creates only.
type UpdateMutator interface {
	Mutator
	MutatesUpdates()
}

// Validator may only accept or reject, in the validating phase.
type Validator interface {
	AdmissionPlugin
	Validate(r *AdmissionRequest) (note string, err error)
}

// ForbiddenByAdmission wraps a plugin's error the way
// k8s.io/apiserver/pkg/admission/errors.go does: the object's name (else its
// generateName, else "Unknown") and "is forbidden".
func ForbiddenByAdmission(r *AdmissionRequest, err error) error {
	if _, ok := err.(apierrors.APIStatus); ok {
		return err
	}
	name := r.Name
	if name == "" && r.Object != nil {
		name = r.Object.GetName()
		if name == "" {
			name = r.Object.GetGenerateName()
		}
	}
	if name == "" {
		name = "Unknown"
	}
	return apierrors.NewForbidden(r.Resource.GroupResource(), name, err)
}

// hold defers a request's end by the time its admission webhooks took.
func hold(ar *AdmissionRequest, complete func() Response) Response {
	if ar.Wait == 0 {
		return complete()
	}
	return Response{Wait: ar.Wait, complete: complete}
}

// mutatingAdmission runs the mutating half of the admission chain, the
// model's updates only through the plugins that change updates, and runs
// it a second time when a webhook or policy changed the object and asked
// for it (admission/reinvocation.go): the built-in plugins then see what
// the webhooks added, and webhooks and policies with reinvocationPolicy
// IfNeeded are called again if the object changed since their last call.
func (s *Server) mutatingAdmission(req *Request, ar *AdmissionRequest, updatesOnly bool) (Response, bool) {
	for round := 0; round < 2; round++ {
		ar.Reinvoking = round == 1
		for _, p := range s.Admission {
			m, ok := p.(Mutator)
			if _, changesUpdates := p.(UpdateMutator); !ok || updatesOnly && !changesUpdates || !p.Handles(ar) {
				continue
			}
			note, err := m.Admit(ar)
			if ar.Reinvoking && note != "" {
				note = "reinvoked: " + note
			} else if ar.Reinvoking {
				note = "reinvoked"
			}
			if resp, failed := s.admitted(req, s.ref(req), p.Name(), "mutating", note, err, ar); failed {
				return resp, true
			}
		}
		if !ar.ReinvokeRequested {
			break
		}
	}
	return Response{}, false
}

// validatingAdmission runs the validating half of the admission chain on
// a request the registry has validated.
func (s *Server) validatingAdmission(req *Request, ar *AdmissionRequest) (Response, bool) {
	for _, p := range s.Admission {
		if v, ok := p.(Validator); ok && p.Handles(ar) {
			note, err := v.Validate(ar)
			if resp, failed := s.admitted(req, s.ref(req), p.Name(), "validating", note, err, ar); failed {
				return resp, true
			}
		}
	}
	return Response{}, false
}

func (s *Server) admitted(req *Request, ref, plugin, phase, note string, err error, ar *AdmissionRequest) (Response, bool) {
	if err != nil {
		if req.Narrate {
			s.rec.Stepf(Component, "admit", ref, "%s (%s) rejected the request", plugin, phase)
		}
		return failure(ForbiddenByAdmission(ar, err)), true
	}
	if req.Narrate {
		msg := fmt.Sprintf("%s (%s): admitted", plugin, phase)
		if note != "" {
			msg += ": " + note
		}
		s.rec.Step(Component, "admit", ref, msg)
	}
	return Response{}, false
}
