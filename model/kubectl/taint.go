package kubectl

import (
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podlife/podlife/model/apiserver"
)

// TaintChange is what `kubectl taint` was asked: taints to add (or
// replace) and to remove, parsed and checked as kubectl does before any
// request (k8s.io/kubectl/pkg/cmd/taint/utils.go parseTaints, taint.go
// Validate).
type TaintChange struct {
	Add, Remove []corev1.Taint
	Overwrite   bool
}

// ParseTaints reads KEY[=VALUE]:EFFECT to add and KEY[:EFFECT]- to remove.
func ParseTaints(specs []string, overwrite bool) (TaintChange, error) {
	change := TaintChange{Overwrite: overwrite}
	if len(specs) == 0 {
		return change, fmt.Errorf("at least one taint update is required")
	}
	seen := map[corev1.TaintEffect]map[string]bool{}
	for _, spec := range specs {
		if s, ok := strings.CutSuffix(spec, "-"); ok {
			t, err := parseTaint(s)
			if err != nil {
				return change, err
			}
			change.Remove = append(change.Remove, corev1.Taint{Key: t.Key, Effect: t.Effect})
			continue
		}
		t, err := parseTaint(spec)
		if err != nil {
			return change, err
		}
		if t.Effect == "" {
			return change, fmt.Errorf("invalid taint spec: %v", spec)
		}
		if seen[t.Effect][t.Key] {
			return change, fmt.Errorf("duplicated taints with the same key and effect: %v", t)
		}
		if seen[t.Effect] == nil {
			seen[t.Effect] = map[string]bool{}
		}
		seen[t.Effect][t.Key] = true
		change.Add = append(change.Add, t)
	}
	var conflicts []string
	for _, add := range change.Add {
		for _, rm := range change.Remove {
			if add.Key == rm.Key && (rm.Effect == "" || add.Effect == rm.Effect) {
				conflicts = append(conflicts, fmt.Sprintf("%s=%s", rm.Key, rm.Effect))
			}
		}
	}
	if len(conflicts) > 0 {
		return change, fmt.Errorf("can not both modify and remove the following taint(s) in the same command: %s", strings.Join(conflicts, ", "))
	}
	return change, nil
}

// parseTaint reads KEY=VALUE:EFFECT, KEY:EFFECT or KEY.
func parseTaint(spec string) (corev1.Taint, error) {
	var t corev1.Taint
	parts := strings.Split(spec, ":")
	switch len(parts) {
	case 1:
		t.Key = parts[0]
	case 2:
		t.Effect = corev1.TaintEffect(parts[1])
		switch t.Effect {
		case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
		default:
			return t, fmt.Errorf("invalid taint effect: %v, unsupported taint effect", t.Effect)
		}
		kv := strings.Split(parts[0], "=")
		if len(kv) > 2 {
			return t, fmt.Errorf("invalid taint spec: %v", spec)
		}
		t.Key = kv[0]
		if len(kv) == 2 {
			t.Value = kv[1]
			if errs := validation.IsValidLabelValue(t.Value); len(errs) > 0 {
				return t, fmt.Errorf("invalid taint spec: %v, %s", spec, strings.Join(errs, "; "))
			}
		}
	default:
		return t, fmt.Errorf("invalid taint spec: %v", spec)
	}
	if errs := validation.IsQualifiedName(t.Key); len(errs) > 0 {
		return t, fmt.Errorf("invalid taint spec: %v, %s", spec, strings.Join(errs, "; "))
	}
	return t, nil
}

// Apply works out the node's new taints (taint.go updateTaints,
// utils.go reorganizeTaints): the strategic merge patch to send and the
// word kubectl prints, tainted, untainted or modified.
func (c TaintChange) Apply(node *corev1.Node) (patch []byte, operation string, err error) {
	if !c.Overwrite {
		var exists []string
		for _, t := range c.Add {
			for _, old := range node.Spec.Taints {
				if t.Key == old.Key && t.Effect == old.Effect {
					exists = append(exists, t.Key)
				}
			}
		}
		if len(exists) > 0 {
			return nil, "", fmt.Errorf("node %s already has %v taint(s) with same effect(s) and --overwrite is false", node.Name, strings.Join(exists, ","))
		}
	}
	taints := append([]corev1.Taint{}, c.Add...)
	for _, old := range node.Spec.Taints {
		found := false
		for _, t := range taints {
			found = found || t.MatchTaint(&old)
		}
		if !found {
			taints = append(taints, old)
		}
	}
	added := len(node.Spec.Taints) != len(taints)
	var errs []error
	removed := false
	for _, rm := range c.Remove {
		kept := []corev1.Taint{}
		for _, t := range taints {
			if t.Key == rm.Key && (rm.Effect == "" || t.Effect == rm.Effect) {
				continue
			}
			kept = append(kept, t)
		}
		removed = len(kept) != len(taints)
		taints = kept
		if !removed {
			errs = append(errs, fmt.Errorf("taint %q not found", rm.ToString()))
		}
	}
	if err := utilerrors.NewAggregate(errs); err != nil {
		return nil, "", err
	}
	switch {
	case (added && removed) || c.Overwrite:
		operation = "modified"
	case added:
		operation = "tainted"
	default:
		operation = "untainted"
	}
	before, _ := json.Marshal(node)
	updated := node.DeepCopy()
	updated.Spec.Taints = taints
	after, _ := json.Marshal(updated)
	patch, err = strategicpatch.CreateTwoWayMergePatch(before, after, node)
	return patch, operation, err
}

// Taint runs `kubectl taint nodes NODE KEY=VALUE:EFFECT... KEY:EFFECT-...
// [--overwrite]`: kubectl reads the node and sends a strategic merge patch
// of its taints, printing "node/node01 tainted".
func (k *Kubectl) Taint(node string, specs []string, overwrite bool, credential string) *Result {
	res, result, ok := k.target("taint", "Node", "", node)
	if !ok {
		return result
	}
	change, err := ParseTaints(specs, overwrite)
	if err != nil {
		result.ClientError(err.Error())
		k.Rec.Step(Component, "validate", result.Object, result.Output)
		return result
	}
	k.getThen(res, "", node, credential, result, func() {
		n, _ := result.got.(*corev1.Node)
		patch, operation, err := change.Apply(n)
		if err != nil {
			result.ClientError(err.Error())
			k.Rec.Step(Component, "response", result.Object, result.Output)
			return
		}
		k.send(&apiserver.Request{Verb: "patch", Resource: res, Name: node, Credential: credential, Narrate: true,
			PatchType: types.StrategicMergePatchType, Body: patch}, result, func() string {
			return fmt.Sprintf("node/%s %s", node, operation)
		})
	})
	return result
}
