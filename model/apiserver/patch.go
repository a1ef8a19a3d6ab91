package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
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
	if req.Resource.Custom && req.PatchType == types.StrategicMergePatchType { // no Go type to read patch strategies from (the CRD handler's patch types)
		return nil, negotiation.NewUnsupportedMediaTypeError([]string{string(types.JSONPatchType), string(types.MergePatchType), string(types.ApplyYAMLPatchType)})
	}
	out, err := applyPatch(original, req.PatchType, req.Body, registry.New(req.Resource.GVK))
	if err != nil {
		return nil, err
	}
	return s.decodeBody(&Request{Resource: req.Resource, Body: out})
}

// applyPatch applies a patch of the given type to an object's JSON; a
// strategic merge patch reads its merge keys from dataStruct's Go type.
func applyPatch(original []byte, pt types.PatchType, patch []byte, dataStruct runtime.Object) ([]byte, error) {
	switch pt {
	case types.JSONPatchType:
		p, err := jsonpatch.DecodePatch(patch)
		if err != nil {
			return nil, apierrors.NewBadRequest(err.Error())
		}
		out, err := p.Apply(original)
		if err != nil {
			return nil, apierrors.NewGenericServerResponse(http.StatusUnprocessableEntity, "", schema.GroupResource{}, "", err.Error(), 0, false)
		}
		return out, nil
	case types.MergePatchType:
		out, err := jsonpatch.MergePatch(original, patch)
		if err != nil {
			return nil, apierrors.NewBadRequest(err.Error())
		}
		return out, nil
	case types.StrategicMergePatchType:
		out, err := strategicpatch.StrategicMergePatch(original, patch, dataStruct)
		if err != nil {
			return nil, apierrors.NewBadRequest(err.Error())
		}
		return out, nil
	}
	return nil, apierrors.NewBadRequest(fmt.Sprintf("unknown Content-Type header for patch: %v", pt))
}
