// Package apiserver models kube-apiserver's handling of a request:
// authentication, the authorization chain, defaulting, the admission chain
// (mutating, then validation, then validating plugins) and persistence to the
// store, each stage answering with the same status and message a real API
// server gives.
package apiserver

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apiserver/pkg/endpoints/deprecation"
	"k8s.io/apiserver/pkg/storage"

	"github.com/podlife/podlife/model/registry"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// Component is the API server's name in the trace.
const Component = "kube-apiserver"

// ReleaseMajor and ReleaseMinor are the Kubernetes version the model's API
// server is: v1.37.
const ReleaseMajor, ReleaseMinor = 1, 37

// Epoch is the wall-clock instant virtual time 0 stands for in timestamps.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Request is one call to the API server.
type Request struct {
	Client      string // who calls, as named in the trace: "kubectl", "kube-scheduler", ...
	Credential  string // the token presented: the model's tokens name their user
	Verb        string // create, patch
	Resource    Resource
	Namespace   string
	Name        string
	Subresource string
	Object      sim.Object
	// Body is the request's JSON as a client such as kubectl sends it; the
	// server decodes it (strictly) in place of Object. With PatchType set
	// it is the patch.
	Body []byte
	// PatchType is a PATCH's content type: JSON patch, merge patch or
	// strategic merge patch.
	PatchType types.PatchType
	// Narrate records every stage in the trace. Users' requests are narrated;
	// the components' own requests are summarised on one line.
	Narrate bool
	// GracePeriodSeconds is a delete's grace period; nil takes the object's.
	GracePeriodSeconds *int64
	// PreconditionUID makes a delete fail if the object was replaced.
	PreconditionUID types.UID
	// PropagationPolicy is a delete's dependents policy: Background (the
	// default), Foreground or Orphan.
	PropagationPolicy metav1.DeletionPropagation
	// LabelSelector and FieldSelector filter a list.
	LabelSelector, FieldSelector string
	// HandedOver says the caller built Object for this request alone and
	// will change none of it: the server may keep its parts rather than
	// copy them, as it keeps what it decodes from a body.
	HandedOver bool
}

// Path is the request's URL path.
func (r *Request) Path() string {
	if r.Verb == "list" {
		query := url.Values{}
		if r.FieldSelector != "" {
			query.Set("fieldSelector", r.FieldSelector)
		}
		if r.LabelSelector != "" {
			query.Set("labelSelector", r.LabelSelector)
		}
		if len(query) == 0 {
			return r.Resource.CollectionPath(r.Namespace)
		}
		return r.Resource.CollectionPath(r.Namespace) + "?" + query.Encode()
	}
	if r.Verb == "create" && r.Subresource == "" {
		return r.Resource.CollectionPath(r.Namespace)
	}
	return r.Resource.ObjectPath(r.Namespace, r.Name, r.Subresource)
}

// Method is the request's HTTP method.
func (r *Request) Method() string {
	switch r.Verb {
	case "create":
		return http.MethodPost
	case "patch":
		return http.MethodPatch
	case "update":
		return http.MethodPut
	case "delete":
		return http.MethodDelete
	}
	return http.MethodGet
}

// deprecations hold each version's deprecation warning ("" for none),
// worked out once: every request asks, status writes included.
var deprecations sync.Map // schema.GroupVersionKind -> string

func deprecationWarning(gvk schema.GroupVersionKind) string {
	if w, ok := deprecations.Load(gvk); ok {
		return w.(string)
	}
	w := ""
	if obj := registry.New(gvk); obj != nil && deprecation.IsDeprecated(obj, ReleaseMajor, ReleaseMinor) {
		obj.GetObjectKind().SetGroupVersionKind(gvk)
		w = deprecation.WarningMessage(obj)
	}
	deprecations.Store(gvk, w)
	return w
}

// Response is the API server's answer.
type Response struct {
	Code    int
	Reason  metav1.StatusReason // empty on success
	Message string              // the Status message on failure
	// Details are the Status details of a failure: the kind, name and
	// field causes kubectl prints an Invalid answer from.
	Details *metav1.StatusDetails
	Object  sim.Object
	// Items are a list's objects.
	Items []sim.Object
	// Warnings go back in Warning headers; kubectl prints them.
	Warnings []string
	// Wait holds the answer while admission webhooks are called: the
	// client receives Complete's answer that much later.
	Wait sim.Duration
	// complete finishes a held request: it stores the object, or refuses.
	complete func() Response
}

// OK reports a 2xx answer.
func (r Response) OK() bool { return r.Code >= 200 && r.Code < 300 }

// Status is "201 Created" or "403 Forbidden".
func (r Response) Status() string {
	if r.Reason != "" {
		return fmt.Sprintf("%d %s", r.Code, r.Reason)
	}
	return fmt.Sprintf("%d %s", r.Code, http.StatusText(r.Code))
}

// Server is the model's kube-apiserver.
type Server struct {
	store      *sim.Store
	rec        *trace.Recorder
	now        func() sim.Time
	Authn      *Authenticator
	Authorizer Chain
	Admission  []AdmissionPlugin
	uids       int
	names      nameGenerator
	clusterIPs clusterIPAllocator
	// crds hold each CRD's serving info, by UID.
	crds map[types.UID]served
	// quietPuts hold the etcd writes of a request that is not narrated, so
	// they are recorded after the request's one line.
	quietPuts []quietPut
	narrate   bool
	// mutated are, per object created, the webhooks and policies that
	// changed it on its way in.
	mutated map[sim.Key][]string
}

// New returns an API server over store that records to rec.
func New(store *sim.Store, rec *trace.Recorder, now func() sim.Time) *Server {
	s := &Server{store: store, rec: rec, now: now, Authn: NewAuthenticator()}
	s.Authorizer = Chain{PrivilegedGroup{}}
	return s
}

// ObjectRef names an object in the trace: "pod/default/web", "node/node01".
func ObjectRef(kind, namespace, name string) string {
	k := lower(kind)
	if namespace == "" {
		return k + "/" + name
	}
	return k + "/" + namespace + "/" + name
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Handle serves one request. A request held by admission webhooks comes
// back with Wait set and is finished by Complete once that time has passed.
func (s *Server) Handle(req *Request) Response {
	// The server's own memory (admission plugins, the name generator) is
	// one thing every request writes, for the explorer's fingerprints.
	s.store.Engine().TouchComponent(Component, true)
	s.narrate, s.quietPuts = req.Narrate, s.quietPuts[:0]
	resp := s.handle(req)
	if resp.complete != nil {
		return resp
	}
	return s.answer(req, resp)
}

// Complete finishes a request Handle held: what the webhooks answered was
// decided on arrival; the write and the answer happen now.
func (s *Server) Complete(req *Request, held Response) Response {
	s.store.Engine().TouchComponent(Component, true)
	s.narrate, s.quietPuts = req.Narrate, s.quietPuts[:0]
	return s.answer(req, held.complete())
}

// answer records the request's one trace line and adds the warnings
// every answer carries.
func (s *Server) answer(req *Request, resp Response) Response {
	// Every request to a deprecated version is answered with a warning,
	// refused or not (apiserver/pkg/endpoints/installer.go).
	if w := deprecationWarning(req.Resource.GVK); w != "" {
		resp.Warnings = append([]string{w}, resp.Warnings...)
	}
	if !req.Narrate && !s.rec.Off { // the explorer's untraced runs skip the formatting
		msg := req.Method() + " " + req.Path() + " as " + strconv.Quote(req.Credential) + ": " + resp.Status()
		if !resp.OK() {
			msg += ": " + resp.Message
		}
		ref := s.ref(req)
		if req.Verb == "create" && req.Subresource == "" && resp.Object != nil {
			ref = ObjectRef(req.Resource.GVK.Kind, resp.Object.GetNamespace(), resp.Object.GetName()) // a generated name
		}
		s.rec.Step(Component, "request", ref, msg)
		for _, put := range s.quietPuts {
			s.rec.Step("etcd", put.action, put.ref, put.msg)
		}
	} else {
		msg := resp.Status()
		if !resp.OK() {
			msg += ": " + resp.Message
		}
		s.rec.Step(Component, "respond", s.ref(req), msg)
	}
	return resp
}

func (s *Server) ref(req *Request) string {
	if req.Verb == "list" {
		return req.Resource.Resource
	}
	name := req.Name
	if name == "" && req.Object != nil {
		name = req.Object.GetName()
	}
	if name == "" && req.Object == nil && req.Body != nil {
		name = bodyName(req.Body)
	}
	return ObjectRef(req.Resource.GVK.Kind, req.Namespace, name)
}

func (s *Server) handle(req *Request) Response {
	ref := s.ref(req)
	user, ok := s.Authn.Authenticate(req.Credential)
	if !ok {
		if req.Narrate {
			s.rec.Stepf(Component, "authenticate", ref, "no user has the token presented for %q", req.Credential)
		}
		return failure(apierrors.NewUnauthorized("Unauthorized"))
	}
	if req.Narrate {
		s.rec.Stepf(Component, "authenticate", ref, "user %q, groups %v", user.Name, user.Groups)
	}

	attrs := Attributes{
		User: user, Verb: req.Verb, APIGroup: req.Resource.GVK.Group, Resource: req.Resource.Resource,
		Subresource: req.Subresource, Namespace: req.Namespace, Name: req.Name, IsResource: true,
	}
	decision, reason, by := s.Authorizer.Authorize(attrs)
	if decision != Allow {
		if req.Narrate {
			s.rec.Stepf(Component, "authorize", ref, "no authorizer allows %s %s", req.Verb, resourceString(attrs))
		}
		return failure(Forbidden(attrs, reason))
	}
	if req.Narrate {
		if reason != "" {
			s.rec.Stepf(Component, "authorize", ref, "%s allowed by %s (%s)", req.Verb, by, reason)
		} else {
			s.rec.Stepf(Component, "authorize", ref, "%s allowed by %s", req.Verb, by)
		}
	}

	var warnings []string
	if req.Resource.Custom {
		// The CRD handler serves what the filters let through; it warns of
		// a deprecated version first (customresource_handler.go ServeHTTP).
		cr, err := s.customResource(req.Resource)
		if err != nil {
			return failure(err)
		}
		warnings = cr.DeprecationWarnings(req.Resource.GVK.Version)
	}
	resp := s.serve(req, user)
	resp.Warnings = append(warnings, resp.Warnings...)
	return resp
}

// serve runs an authorized request: decoding, then the verb's handler.
func (s *Server) serve(req *Request, user UserInfo) Response {
	if req.PatchType != "" && req.Subresource == "" {
		obj, err := s.patched(req)
		if err != nil {
			return failure(err)
		}
		req.Object = obj
	} else if req.Body != nil && req.PatchType == "" {
		obj, err := s.decodeBody(req)
		if err != nil {
			if req.Narrate {
				s.rec.Step(Component, "decode", s.ref(req), "strict decoding failed")
			}
			return failure(err)
		}
		req.Object = obj
	}
	switch {
	case req.Verb == "get" && req.Subresource == "":
		return s.get(req)
	case req.Verb == "list":
		return s.list(req)
	case req.Subresource == "scale" && (req.Verb == "get" || req.Verb == "patch" || req.Verb == "update"):
		return s.scale(req, user)
	case req.Verb == "create" && req.Subresource == "":
		return s.create(req, user)
	case req.Verb == "create" && req.Subresource == "binding":
		return s.bind(req)
	case req.Verb == "create" && req.Subresource == "eviction":
		return s.evict(req)
	case (req.Verb == "update" || req.Verb == "patch") && req.Subresource == "":
		return s.update(req, user)
	case req.Verb == "delete" && req.Subresource == "":
		return s.delete(req)
	case (req.Verb == "patch" || req.Verb == "update") && req.Subresource == "status":
		return s.patchStatus(req)
	}
	return failure(apierrors.NewMethodNotSupported(req.Resource.GroupResource(), req.Verb))
}

func resourceString(a Attributes) string {
	if a.Subresource != "" {
		return a.Resource + "/" + a.Subresource
	}
	return a.Resource
}

func failure(err error) Response {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		st := status.Status()
		return Response{Code: int(st.Code), Reason: st.Reason, Message: st.Message, Details: st.Details}
	}
	return Response{Code: http.StatusInternalServerError, Reason: metav1.StatusReasonInternalError, Message: err.Error()}
}

// create follows the registry's create path
// (k8s.io/apiserver/pkg/endpoints/handlers/create.go): defaulting, mutating
// admission, system fields, validation, validating admission, storage.
func (s *Server) create(req *Request, user UserInfo) Response {
	obj := req.Object.DeepCopyObject().(sim.Object)
	obj.GetObjectKind().SetGroupVersionKind(req.Resource.GVK)
	if req.Resource.Namespaced {
		obj.SetNamespace(req.Namespace)
	}
	// The decoder defaults what it decodes, before admission sees it.
	registry.Default(obj)
	ar := &AdmissionRequest{Operation: "CREATE", Resource: req.Resource, Namespace: req.Namespace, Name: req.Name, Object: obj, User: user, Authorizer: s.Authorizer, Store: s.store,
		Persist: func(changed sim.Object) {
			stored, _ := s.store.Update(changed)
			s.persisted(stored, "update")
		}}
	ref := s.ref(req)
	if resp, failed := s.mutatingAdmission(req, ar, false); failed {
		return hold(ar, func() Response { return resp })
	}
	obj = ar.Object // a mutating webhook's patch replaces it
	if obj.GetName() == "" && obj.GetGenerateName() != "" {
		obj.SetName(s.generateName(obj))
	}
	if svc, ok := obj.(*corev1.Service); ok {
		if err := s.allocateClusterIP(svc); err != nil {
			return failure(err)
		}
	}
	s.uids++
	obj.SetUID(types.UID(fmt.Sprintf("00000000-0000-4000-8000-%012d", s.uids)))
	obj.SetGeneration(1)
	// Stamped after mutating admission (rest.BeforeCreate): after the
	// mutating webhooks' answers.
	obj.SetCreationTimestamp(metav1.NewTime(Epoch.Add(time.Duration(s.now()+sim.Time(ar.Wait)) * time.Millisecond)))
	// The kind's registry: PrepareForCreate, validation, warnings
	// (apiserver/pkg/registry/rest/create.go BeforeCreate).
	prepared, warnings, err := s.registryCreate(req, user, obj)
	if err != nil {
		if req.Narrate {
			s.rec.Step(Component, "validate", ref, "field validation failed")
		}
		return hold(ar, func() Response { return failure(err) })
	}
	obj = prepared.(sim.Object)
	ar.Object = obj
	ar.Warnings = append(ar.Warnings, warnings...)
	if resp, failed := s.validatingAdmission(req, ar); failed {
		return hold(ar, func() Response { return resp })
	}
	return hold(ar, func() Response { return s.commitCreate(req, ar, obj) })
}

// commitCreate writes a created object, unless its name was taken meanwhile.
func (s *Server) commitCreate(req *Request, ar *AdmissionRequest, obj sim.Object) Response {
	// etcd3's store refuses a resourceVersion before its transaction finds
	// the key taken, with an error that is no Status: a 500 of no reason
	// (storage/etcd3/store.go Create, responsewriters.ErrorToAPIStatus).
	if rv, err := strconv.ParseUint(obj.GetResourceVersion(), 10, 64); err == nil && rv != 0 {
		return Response{Code: http.StatusInternalServerError, Reason: metav1.StatusReasonUnknown, Message: storage.ErrResourceVersionSetOnCreate.Error()}
	}
	if s.store.Get(sim.KeyOf(obj)) != nil {
		return failure(apierrors.NewAlreadyExists(req.Resource.GroupResource(), obj.GetName()))
	}
	stored, _ := s.store.Create(obj)
	s.persisted(stored, "create")
	if k := sim.KeyOf(stored); len(ar.Mutations) > 0 {
		if s.mutated == nil {
			s.mutated = map[sim.Key][]string{}
		}
		s.mutated[k] = ar.Mutations
	} else {
		delete(s.mutated, k)
	}
	return Response{Code: http.StatusCreated, Object: stored, Warnings: ar.Warnings}
}

// MutatedAtAdmission says which webhooks and policies changed an object
// when it was created, and how; nil when none did.
func (s *Server) MutatedAtAdmission(k sim.Key) []string { return s.mutated[k] }

func (s *Server) persisted(obj sim.Object, verb string) {
	if s.rec.Off {
		return
	}
	msg := verb + ", resourceVersion " + obj.GetResourceVersion()
	k := sim.KeyOf(obj)
	ref := ObjectRef(k.Kind, k.Namespace, k.Name)
	if !s.narrate {
		s.quietPuts = append(s.quietPuts, quietPut{ref, msg, "put"})
		return
	}
	s.rec.Step("etcd", "put", ref, msg)
}

type quietPut struct{ ref, msg, action string }

// Exists reports whether an object is stored: what a client's GET before
// a `kubectl apply` finds out.
func (s *Server) Exists(key sim.Key) bool { return s.store.Get(key) != nil }

// Get is the stored object, or nil: what a GET would return, for callers
// that read it without a request of their own. It must not be changed.
func (s *Server) Get(key sim.Key) sim.Object { return s.store.Get(key) }

// MetaNow is the virtual time as the API server stamps it in objects.
func (s *Server) MetaNow() metav1.Time { return s.metaNow() }

func (s *Server) metaNow() metav1.Time {
	return metav1.NewTime(Epoch.Add(time.Duration(s.now()) * time.Millisecond))
}
