package steps

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/podlife/podlife/model/apiserver"
)

// scalableKinds are the kinds kubectl scale acts on through their scale
// subresource.
var scalableKinds = []string{"Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"}

func (w *World) kubectlScale(user, args string) error {
	fields := strings.Fields(args)
	var positional []string
	namespace, replicas := "", ""
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		switch {
		case f == "-n" || f == "--namespace" || f == "--replicas":
			if i+1 == len(fields) {
				return w.errorf("kubectl scale %s: %s needs a value", args, f)
			}
			i++
			if f == "--replicas" {
				replicas = fields[i]
			} else {
				namespace = fields[i]
			}
		case strings.HasPrefix(f, "--namespace="):
			namespace = strings.TrimPrefix(f, "--namespace=")
		case strings.HasPrefix(f, "--replicas="):
			replicas = strings.TrimPrefix(f, "--replicas=")
		case strings.HasPrefix(f, "-"):
			return w.errorf("kubectl scale %s: podlife models --replicas and -n, not %s", args, f)
		default:
			positional = append(positional, f)
		}
	}
	n, err := strconv.Atoi(replicas)
	if err != nil {
		return w.errorf("kubectl scale %s: give --replicas=N, a whole number (kubectl itself refuses a negative one)", args)
	}
	kind, name, err := kindAndName(positional)
	if err != nil {
		return w.errorf("kubectl scale %s: %v", args, err)
	}
	r, ok := apiserver.Resolve(kind)
	if !ok || !slices.Contains(scalableKinds, r.GVK.Kind) {
		return w.errorf("kubectl scale %s: podlife scales %s, not %q", args, strings.Join(scalableKinds, ", "), kind)
	}
	w.started = true
	w.last = w.backend.Scale(r.GVK.Kind, namespace, name, n, user)
	return nil
}

func (w *World) kubectlLabel(user, args string) error {
	fields := strings.Fields(args)
	var positional []string
	namespace, overwrite := "", false
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		switch {
		case (f == "-n" || f == "--namespace") && i+1 < len(fields):
			i++
			namespace = fields[i]
		case strings.HasPrefix(f, "--namespace="):
			namespace = strings.TrimPrefix(f, "--namespace=")
		case f == "--overwrite":
			overwrite = true
		case strings.HasPrefix(f, "-"):
			return w.errorf("kubectl label %s: podlife models --overwrite and -n, not %s", args, f)
		default:
			positional = append(positional, f)
		}
	}
	if len(positional) < 2 {
		return w.errorf("kubectl label %s: give KIND NAME (or KIND/NAME) and at least one KEY=VALUE or KEY-", args)
	}
	target, specs := positional[:2], positional[2:]
	if strings.Contains(positional[0], "/") {
		target, specs = positional[:1], positional[1:]
	}
	kind, name, err := kindAndName(target)
	if err != nil {
		return w.errorf("kubectl label %s: %v", args, err)
	}
	for _, s := range specs {
		if !strings.Contains(s, "=") && !strings.HasSuffix(s, "-") { // kubectl would take it for another name
			return w.errorf("kubectl label %s: %q is neither KEY=VALUE nor KEY-: podlife labels one object at a time", args, s)
		}
	}
	if len(specs) == 0 {
		return w.errorf("kubectl label %s: give at least one KEY=VALUE or KEY-", args)
	}
	r, ok := apiserver.Resolve(kind)
	if !ok {
		return w.errorf("kubectl label %s: podlife does not model resource type %q", args, kind)
	}
	w.started = true
	w.last = w.backend.Label(r.GVK.Kind, namespace, name, specs, overwrite, user)
	return nil
}

// restartableKinds are the kinds kubectl rollout restart acts on.
var restartableKinds = []string{"Deployment", "StatefulSet", "DaemonSet"}

func (w *World) kubectlRolloutRestart(user, args string) error {
	var positional []string
	namespace := ""
	fields := strings.Fields(args)
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		switch {
		case (f == "-n" || f == "--namespace") && i+1 < len(fields):
			i++
			namespace = fields[i]
		case strings.HasPrefix(f, "--namespace="):
			namespace = strings.TrimPrefix(f, "--namespace=")
		case strings.HasPrefix(f, "-"):
			return w.errorf("kubectl rollout restart %s: podlife models -n, not %s", args, f)
		default:
			positional = append(positional, f)
		}
	}
	kind, name, err := kindAndName(positional)
	if err != nil {
		return w.errorf("kubectl rollout restart %s: %v", args, err)
	}
	r, ok := apiserver.Resolve(kind)
	if !ok || !slices.Contains(restartableKinds, r.GVK.Kind) {
		return w.errorf("kubectl rollout restart %s: kubectl restarts %s, not %q", args, strings.Join(restartableKinds, ", "), kind)
	}
	w.started = true
	w.last = w.backend.RolloutRestart(r.GVK.Kind, namespace, name, user)
	return nil
}

func (w *World) kubectlCordon(user, verb, args string) error {
	fields := strings.Fields(args)
	if len(fields) != 1 || strings.HasPrefix(fields[0], "-") {
		return w.errorf("kubectl %s %s: give one node name; podlife models no flags here", verb, args)
	}
	w.started = true
	w.last = w.backend.Cordon(strings.TrimPrefix(fields[0], "node/"), verb == "cordon", user)
	return nil
}

// kindAndName reads kubectl's KIND NAME or KIND/NAME.
func kindAndName(positional []string) (kind, name string, err error) {
	switch {
	case len(positional) == 1 && strings.Contains(positional[0], "/"):
		kind, name, _ = strings.Cut(positional[0], "/")
		return kind, name, nil
	case len(positional) == 2:
		return positional[0], positional[1], nil
	}
	return "", "", errKindAndName
}

var errKindAndName = errors.New("give KIND NAME or KIND/NAME")
