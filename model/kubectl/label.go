package kubectl

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podlife/podlife/model/apiserver"
)

// ParseLabels reads kubectl label's KEY=VALUE and KEY- arguments, refusing
// what kubectl refuses before any request, in its words
// (k8s.io/kubectl/pkg/cmd/label/label.go parseLabels).
func ParseLabels(spec []string) (set map[string]string, remove []string, err error) {
	set = map[string]string{}
	for _, s := range spec {
		switch {
		case strings.Contains(s, "="):
			parts := strings.Split(s, "=")
			if len(parts) != 2 {
				return nil, nil, fmt.Errorf("invalid label spec: %v", s)
			}
			if errs := validation.IsValidLabelValue(parts[1]); len(errs) != 0 {
				return nil, nil, fmt.Errorf("invalid label value: %q: %s", s, strings.Join(errs, ";"))
			}
			set[parts[0]] = parts[1]
		case strings.HasSuffix(s, "-"):
			remove = append(remove, s[:len(s)-1])
		default:
			return nil, nil, fmt.Errorf("unknown label spec: %v", s)
		}
	}
	for _, r := range remove {
		if _, found := set[r]; found {
			return nil, nil, fmt.Errorf("can not both modify and remove a label in the same command")
		}
	}
	return set, remove, nil
}

// Relabelling is what kubectl label makes of an object's labels: the merge
// patch to send (nil when nothing changes), the word it prints, and the
// "label "x" not found." lines for removals of absent labels.
type Relabelling struct {
	Patch    []byte
	Word     string
	NotFound []string
}

// Relabel applies kubectl label's rules to current labels (label.go
// labelFunc and updateDataChangeMsg): without overwrite a key that already
// has another value is an error.
func Relabel(current, set map[string]string, remove []string, overwrite bool) (Relabelling, error) {
	var out Relabelling
	if !overwrite {
		var conflicts []string
		for _, key := range sortedKeys(set) {
			if have, found := current[key]; found && have != set[key] {
				conflicts = append(conflicts, fmt.Sprintf("'%s' already has a value (%s), and --overwrite is false", key, have))
			}
		}
		switch len(conflicts) {
		case 0:
		case 1:
			return out, fmt.Errorf("%s", conflicts[0])
		default: // an aggregate, as kubectl prints it
			return out, fmt.Errorf("[%s]", strings.Join(conflicts, ", "))
		}
	}
	changes := map[string]any{}
	for _, key := range sortedKeys(set) {
		if have, found := current[key]; !found || have != set[key] {
			changes[key] = set[key]
		}
	}
	added := len(changes)
	for _, key := range remove {
		if _, found := current[key]; found {
			changes[key] = nil
		} else {
			out.NotFound = append(out.NotFound, fmt.Sprintf("label %q not found.", key))
		}
	}
	removed := len(changes) - added
	switch {
	case added > 0 && removed > 0:
		out.Word = "modified"
	case added > 0:
		out.Word = "labeled"
	case removed > 0:
		out.Word = "unlabeled"
	default:
		out.Word = "not labeled"
	}
	if len(changes) > 0 {
		out.Patch, _ = json.Marshal(map[string]any{"metadata": map[string]any{"labels": changes}})
	}
	return out, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Label runs `kubectl label KIND NAME KEY=VALUE... KEY-... [--overwrite]`:
// kubectl reads the object and sends a merge patch of the labels that
// change, printing "pod/web labeled" (or unlabeled, modified, not labeled).
func (k *Kubectl) Label(kind, namespace, name string, specs []string, overwrite bool, credential string) *Result {
	res, result, ok := k.target("label", kind, namespace, name)
	if !ok {
		return result
	}
	set, remove, err := ParseLabels(specs)
	if err != nil {
		result.ClientError(err.Error())
		k.Rec.Step(Component, "validate", result.Object, result.Output)
		return result
	}
	namespace = result.namespace
	k.getThen(res, namespace, name, credential, result, func() {
		change, err := Relabel(result.got.GetLabels(), set, remove, overwrite)
		printed := func() string {
			return strings.Join(append(change.NotFound, fmt.Sprintf("%s/%s %s", kindName(res), name, change.Word)), "\n")
		}
		switch {
		case err != nil:
			result.ClientError(err.Error())
		case change.Patch == nil:
			result.Allowed, result.Done, result.Code = true, true, 200
			result.Message = printed()
			result.Output = result.Message
		default:
			k.send(&apiserver.Request{Verb: "patch", Resource: res, Namespace: namespace, Name: name, Credential: credential, Narrate: true,
				PatchType: types.MergePatchType, Body: change.Patch}, result, printed)
			return
		}
		k.Rec.Step(Component, "response", result.Object, result.Output)
	})
	return result
}
