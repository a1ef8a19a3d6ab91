package kubectl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podlife/podlife/model/apiserver"
)

// ParseAnnotations reads kubectl annotate's KEY=VALUE and KEY- arguments,
// refusing what kubectl refuses before any request, in its words
// (k8s.io/kubectl/pkg/cmd/annotate/annotate.go, cmd/util ParsePairs):
// a value may hold any character, "=" included.
func ParseAnnotations(spec []string) (set map[string]string, remove []string, err error) {
	set = map[string]string{}
	var invalid []string
	for _, s := range spec {
		switch {
		case strings.Contains(s, "=") && s[0] != '=':
			key, value, _ := strings.Cut(s, "=")
			set[key] = value
		case strings.HasSuffix(s, "-") && s != "-":
			remove = append(remove, s[:len(s)-1])
		default:
			invalid = append(invalid, s)
		}
	}
	if len(invalid) > 0 {
		return nil, nil, fmt.Errorf("invalid annotation format: %s", strings.Join(invalid, ", "))
	}
	if len(set) == 0 && len(remove) == 0 {
		return nil, nil, fmt.Errorf("at least one annotation update is required")
	}
	var both []string
	for _, key := range remove {
		if _, found := set[key]; found {
			both = append(both, key)
		}
	}
	if len(both) > 0 {
		return nil, nil, fmt.Errorf("can not both modify and remove the following annotation(s) in the same command: %s", strings.Join(both, ", "))
	}
	return set, remove, nil
}

// changeCause is the annotation kubectl annotate overwrites without
// --overwrite.
const changeCause = "kubernetes.io/change-cause"

// AnnotatePatch is the merge patch kubectl annotate sends for the live
// object: the difference between its JSON before and after the change,
// "{}" when nothing changes (kubectl sends it all the same). Without
// overwrite a key that already has another value is an error; where
// kubectl lists several in map order, podlife lists them sorted.
func AnnotatePatch(live runtime.Object, set map[string]string, remove []string, overwrite bool) ([]byte, error) {
	accessor, err := meta.Accessor(live)
	if err != nil {
		return nil, err
	}
	current := accessor.GetAnnotations()
	if !overwrite {
		var buf bytes.Buffer
		for _, key := range sortedKeys(set) {
			if have, found := current[key]; found && have != set[key] && key != changeCause {
				if buf.Len() > 0 {
					buf.WriteString("; ")
				}
				fmt.Fprintf(&buf, "'%s' already has a value (%s)", key, have)
			}
		}
		if buf.Len() > 0 {
			return nil, fmt.Errorf("--overwrite is false but found the following declared annotation(s): %s", buf.String())
		}
	}
	before, err := json.Marshal(live)
	if err != nil {
		return nil, err
	}
	changed := live.DeepCopyObject()
	accessor, _ = meta.Accessor(changed)
	annotations := map[string]string{}
	for k, v := range current {
		annotations[k] = v
	}
	for k, v := range set {
		annotations[k] = v
	}
	for _, k := range remove {
		delete(annotations, k)
	}
	accessor.SetAnnotations(annotations)
	after, err := json.Marshal(changed)
	if err != nil {
		return nil, err
	}
	return jsonpatch.CreateMergePatch(before, after)
}

// Annotate runs `kubectl annotate KIND NAME KEY=VALUE... KEY-...
// [--overwrite]`: kubectl reads the object and merge-patches its
// annotations, printing "deployment.apps/web annotated" whether or not
// anything changed.
func (k *Kubectl) Annotate(kind, namespace, name string, specs []string, overwrite bool, credential string) *Result {
	res, result, ok := k.target("annotate", kind, namespace, name)
	if !ok {
		return result
	}
	set, remove, err := ParseAnnotations(specs)
	if err != nil {
		result.ClientError(err.Error())
		k.Rec.Step(Component, "validate", result.Object, result.Output)
		return result
	}
	namespace = result.namespace
	k.getThen(res, namespace, name, credential, result, func() {
		patch, err := AnnotatePatch(result.got, set, remove, overwrite)
		if err != nil {
			result.ClientError(err.Error())
			k.Rec.Step(Component, "response", result.Object, result.Output)
			return
		}
		k.send(&apiserver.Request{Verb: "patch", Resource: res, Namespace: namespace, Name: name, Credential: credential, Narrate: true,
			PatchType: types.MergePatchType, Body: patch}, result, func() string { return Annotated(res, name) })
	})
	return result
}

// Annotated is what kubectl annotate prints.
func Annotated(r apiserver.Resource, name string) string {
	return fmt.Sprintf("%s/%s annotated", kindName(r), name)
}
