package controllers

import (
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// The StatefulSet and DaemonSet controllers record each pod template as a
// ControllerRevision whose data is a patch that replaces the template
// whole: {"spec":{"template":{...,"$patch":"replace"}}}
// (stateful_set_utils.go and daemon/update.go getPatch). Each encodes the
// owner its own way first; the bytes decide the revision's hash, so they
// must be what the controller writes.

// templatePatch turns an owner's JSON into its template patch.
func templatePatch(owner []byte) ([]byte, error) {
	var raw struct {
		Spec struct {
			Template map[string]any `json:"template"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(owner, &raw); err != nil {
		return nil, err
	}
	raw.Spec.Template["$patch"] = "replace"
	return json.Marshal(map[string]any{"spec": map[string]any{"template": raw.Spec.Template}})
}

// revisionPatches remember each owner's template patch for the generation
// it was made at: it changes only with the spec, and making it is most of
// a revision lookup's cost.
type revisionPatches map[types.UID]generationPatch

type generationPatch struct {
	generation int64
	patch      []byte
}

// of is encode's patch for the owner, remembered per generation once the
// owner is stored.
func (m *revisionPatches) of(owner metav1.Object, encode func() ([]byte, error)) ([]byte, error) {
	if p, ok := (*m)[owner.GetUID()]; ok && owner.GetUID() != "" && p.generation == owner.GetGeneration() {
		return p.patch, nil
	}
	patch, err := encode()
	if err != nil {
		return nil, err
	}
	if *m == nil {
		*m = revisionPatches{}
	}
	(*m)[owner.GetUID()] = generationPatch{owner.GetGeneration(), patch}
	return patch, nil
}
