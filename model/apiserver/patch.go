package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/apiserver/pkg/endpoints/handlers/negotiation"

	"github.com/podlife/podlife/model/registry"
	"github.com/podlife/podlife/model/sim"
)

// patched applies a PATCH request's body to the stored object, as the API
// server's patcher does (apiserver/pkg/endpoints/handlers/patch.go): a JSON
// patch, a JSON merge patch or a strategic merge patch over the object's
// JSON, then the result decoded strictly. What comes out goes through the
// update path: its resourceVersion is the stored one unless the patch set
// another, which then must match (a 409 otherwise).
func (s *Server) patched(req *Request) (sim.Object, error) {
	key := sim.Key{Kind: req.Resource.GVK.Kind, Namespace: req.Namespace, Name: req.Name}
	stored := s.store.Get(key)
	if stored == nil {
		return nil, apierrors.NewNotFound(req.Resource.GroupResource(), req.Name)
	}
	original, err := json.Marshal(stored)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	var out []byte
	switch req.PatchType {
	case types.JSONPatchType:
		patch, err := jsonpatch.DecodePatch(req.Body)
		if err != nil {
			return nil, apierrors.NewBadRequest(err.Error())
		}
		if out, err = patch.Apply(original); err != nil {
			return nil, apierrors.NewGenericServerResponse(http.StatusUnprocessableEntity, "", schema.GroupResource{}, "", err.Error(), 0, false)
		}
	case types.MergePatchType:
		if out, err = jsonpatch.MergePatch(original, req.Body); err != nil {
			return nil, apierrors.NewBadRequest(err.Error())
		}
	case types.StrategicMergePatchType:
		if req.Resource.Custom { // no Go type to read patch strategies from (the CRD handler's patch types)
			return nil, negotiation.NewUnsupportedMediaTypeError([]string{string(types.JSONPatchType), string(types.MergePatchType), string(types.ApplyYAMLPatchType)})
		}
		if out, err = strategicpatch.StrategicMergePatch(original, req.Body, registry.New(req.Resource.GVK)); err != nil {
			return nil, apierrors.NewBadRequest(err.Error())
		}
	default:
		return nil, apierrors.NewBadRequest(fmt.Sprintf("unknown Content-Type header for patch: %v", req.PatchType))
	}
	return s.decodeBody(&Request{Resource: req.Resource, Body: out})
}
