package apiserver

import (
	stdjson "encoding/json"
	"fmt"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"

	"github.com/podlife/podlife/model/registry"
	"github.com/podlife/podlife/model/sim"
)

// strictJSON is the decoder kube-apiserver uses for a request body when
// the client asks for fieldValidation=Strict, as kubectl does by default.
var strictJSON = json.NewSerializerWithOptions(json.DefaultMetaFactory, registry.Scheme, registry.Scheme, json.SerializerOptions{Strict: true})

// decodeBody decodes a request's body into the resource's kind, refusing
// unknown and duplicate fields and malformed values with the API
// server's 400 (apiserver/pkg/endpoints/handlers/create.go and
// rest.go transformDecodeError).
func (s *Server) decodeBody(req *Request) (sim.Object, error) {
	gvk := req.Resource.GVK
	if req.Resource.Custom {
		cr, err := s.customResource(req.Resource)
		if err != nil {
			return nil, err
		}
		return cr.Decode(gvk, req.Body)
	}
	into := registry.New(gvk)
	obj, _, err := strictJSON.Decode(req.Body, &gvk, into)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("%s in version %q cannot be handled as a %s: %v", gvk.Kind, gvk.Version, gvk.Kind, err))
	}
	o, ok := obj.(sim.Object)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("%s in version %q cannot be handled as a %s", gvk.Kind, gvk.Version, gvk.Kind))
	}
	return o, nil
}

// errNoCRD is the answer for a custom resource whose CRD has gone: the
// request falls through to the API server's 404.
var errNoCRD = apierrors.NewGenericServerResponse(http.StatusNotFound, "", schema.GroupResource{}, "", "", 0, false)

// bodyName is the metadata.name a body carries, read before (or without)
// decoding the rest, to name the object in the trace.
func bodyName(body []byte) string {
	var head struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	_ = stdjson.Unmarshal(body, &head) // a body that does not decode has no name to show
	return head.Metadata.Name
}
