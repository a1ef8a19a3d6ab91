package steps

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/sim"
)

// kubectlSteps run kubectl verbs as a user, with kubectl's own flags.
var kubectlSteps = []Definition{
	{
		Pattern: `^"([^"]*)" runs "kubectl delete ([^"]*)"$`,
		Doc:     "deletes objects as the user, with kubectl delete's arguments: KIND NAME (or KIND/NAME), or KIND with -l SELECTOR or --all (kubectl lists them, then deletes each in turn), and [-n NAMESPACE] [--grace-period=N] [--force] [--cascade=background|foreground|orphan] [--wait=false]; kubectl then waits for the objects to be gone (a GET, then a LIST and WATCH by name), so the command runs on while the cluster does: let it settle before its outcome, or pass --wait=false",
		Example: `When "admin" runs "kubectl delete pod web --grace-period=5"`,
		handler: func(w *World) any { return w.kubectlDelete },
	},
	{
		Pattern: `^"([^"]*)" deletes(?: with "([^"]*)")?:$`,
		Doc:     "runs `kubectl delete -f` of the docstring's manifests as the user, with kubectl delete's flags (--grace-period=N, --force, --cascade=..., --wait=false): each object in turn, a refusal printed at the end without stopping the others; kubectl then waits for the objects to be gone, unless --wait=false",
		Example: `When "admin" deletes:`,
		handler: func(w *World) any { return w.kubectlDeleteFile },
	},
	{
		Pattern: `^"([^"]*)" runs "kubectl scale ([^"]*)"$`,
		Doc:     "sets a workload's replicas as the user, with kubectl scale's arguments: KIND NAME (or KIND/NAME) --replicas=N [-n NAMESPACE], for Deployments, ReplicaSets, StatefulSets and ReplicationControllers; kubectl reads the object, then patches its scale subresource",
		Example: `When "admin" runs "kubectl scale deployment web --replicas=3"`,
		handler: func(w *World) any { return w.kubectlScale },
	},
	{
		Pattern: `^"([^"]*)" runs "kubectl label ([^"]*)"$`,
		Doc:     "sets or removes labels as the user, with kubectl label's arguments: KIND NAME (or KIND/NAME) KEY=VALUE... KEY-... [--overwrite] [-n NAMESPACE]; kubectl reads the object and merge-patches the labels that change",
		Example: `When "admin" runs "kubectl label node node01 disktype=ssd"`,
		handler: func(w *World) any { return w.kubectlLabel },
	},
	{
		Pattern: `^"([^"]*)" runs "kubectl annotate ([^"]*)"$`,
		Doc:     "sets or removes annotations as the user, with kubectl annotate's arguments: KIND NAME (or KIND/NAME) KEY=VALUE... KEY-... [--overwrite] [-n NAMESPACE]; kubectl reads the object and merge-patches its annotations, printing annotated; a Deployment's annotations (kubernetes.io/change-cause, say) are copied to its newest ReplicaSet",
		Example: `When "admin" runs "kubectl annotate deployment/web kubernetes.io/change-cause='nginx 1.28'"`,
		handler: func(w *World) any { return w.kubectlAnnotate },
	},
	{
		Pattern: `^"([^"]*)" runs "kubectl rollout restart ([^"]*)"$`,
		Doc:     "restarts a workload's pods as the user, with kubectl rollout restart's arguments: KIND NAME (or KIND/NAME) [-n NAMESPACE]: kubectl stamps the pod template's kubectl.kubernetes.io/restartedAt annotation with the time, and the changed template rolls out as a new version would",
		Example: `When "admin" runs "kubectl rollout restart deployment/web"`,
		handler: func(w *World) any { return w.kubectlRolloutRestart },
	},
	{
		Pattern: `^"([^"]*)" runs "kubectl rollout (pause|resume) ([^"]*)"$`,
		Doc:     "pauses or resumes a Deployment's rollouts as the user, with kubectl's arguments: KIND NAME (or KIND/NAME) [-n NAMESPACE]; kubectl reads it and patches spec.paused: while paused, template changes (set image, rollout restart) wait, and resuming rolls them out at once",
		Example: `When "admin" runs "kubectl rollout pause deployment/web"`,
		handler: func(w *World) any { return w.kubectlRolloutPause },
	},
	{
		Pattern: `^"([^"]*)" runs "kubectl rollout status ([^"]*)"$`,
		Doc:     "waits for a Deployment's, DaemonSet's or StatefulSet's rollout as the user, with kubectl rollout status's arguments: KIND NAME (or KIND/NAME) [-n NAMESPACE] [--timeout=D]; kubectl watches the object and prints a line for each state it sees until every replica is updated and available (its status viewer's words), or gives up when --timeout has passed (\"timed out waiting for the condition\"); the command runs on while the cluster does, so let the cluster settle before its outcome",
		Example: `When "admin" runs "kubectl rollout status deployment/web"`,
		handler: func(w *World) any { return w.kubectlRolloutStatus },
	},
	{
		Pattern: `^"([^"]*)" runs "kubectl rollout undo ([^"]*)"$`,
		Doc:     "rolls a Deployment back as the user, with kubectl rollout undo's arguments: KIND NAME (or KIND/NAME) [--to-revision=N] [-n NAMESPACE]; kubectl lists the Deployment's ReplicaSets, finds the previous revision (or revision N) by their deployment.kubernetes.io/revision annotations, and patches its pod template back: the controller scales that ReplicaSet up again as the newest revision",
		Example: `When "admin" runs "kubectl rollout undo deployment/web"`,
		handler: func(w *World) any { return w.kubectlRolloutUndo },
	},
	{
		Pattern: `^"([^"]*)" runs "kubectl (cordon|uncordon) ([^"]*)"$`,
		Doc:     "marks a node unschedulable (cordon) or schedulable again (uncordon) as the user; pods already on it stay",
		Example: `When "admin" runs "kubectl cordon node01"`,
		handler: func(w *World) any { return w.kubectlCordon },
	},
	{
		Pattern: `^"([^"]*)" runs "kubectl taint ([^"]*)"$`,
		Doc:     "taints or untaints a node as the user, with kubectl taint's arguments: nodes NODE (or node/NODE) KEY[=VALUE]:EFFECT... KEY[:EFFECT]-... [--overwrite]; kubectl reads the node and patches its taints, printing tainted, untainted or modified",
		Example: `When "admin" runs "kubectl taint nodes node01 dedicated=gpu:NoSchedule"`,
		handler: func(w *World) any { return w.kubectlTaint },
	},
	{
		Pattern: `^"([^"]*)" runs "kubectl set image ([^"]*)"$`,
		Doc:     "changes container images as the user, with kubectl set image's arguments: KIND NAME (or KIND/NAME) CONTAINER=IMAGE... (* for every container) [-n NAMESPACE]; kubectl reads the object and patches the images that change: a Deployment rolls out the new template",
		Example: `When "admin" runs "kubectl set image deployment/web app=nginx:1.28"`,
		handler: func(w *World) any { return w.kubectlSetImage },
	},
	{
		Pattern: `^"([^"]*)" runs "kubectl drain ([^"]*)"$`,
		Doc:     "drains a node as the user, with kubectl drain's arguments: NODE [--ignore-daemonsets] [--delete-emptydir-data] [--force] [--disable-eviction] [--grace-period=N] [--timeout=D] [--pod-selector=S]: kubectl cordons the node, evicts its pods through the Eviction API (retrying every 5s while a PodDisruptionBudget refuses), waits for each to be gone, and prints what a terminal shows; the command runs on while the cluster does, so let the cluster settle before its outcome",
		Example: `When "admin" runs "kubectl drain node01 --ignore-daemonsets"`,
		handler: func(w *World) any { return w.kubectlDrain },
	},
}

// kubectlLine is a kubectl command line as the steps read it: the
// namespace (-n, --namespace), the verb's own flags and the rest.
type kubectlLine struct {
	positional []string
	namespace  string
	flags      map[string]string // a switch's value is ""
}

// parseKubectlLine reads a verb's arguments: valued flags take "--f=v" or
// "--f v", switches stand alone; any other flag is refused, naming the
// ones podlife models.
func parseKubectlLine(args string, valued, switches []string) (kubectlLine, error) {
	line := kubectlLine{flags: map[string]string{}}
	fields, err := shellFields(args)
	if err != nil {
		return line, err
	}
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		name, value, hasValue := strings.Cut(f, "=")
		switch {
		case !strings.HasPrefix(f, "-"):
			line.positional = append(line.positional, f)
		case slices.Contains(switches, f):
			line.flags[f] = ""
		case slices.Contains(switches, name) && hasValue:
			// A boolean flag given a value: --wait=false.
			switch value {
			case "true":
				line.flags[name] = ""
			case "false":
				line.flags[name] = "false"
			default:
				return line, fmt.Errorf("%s is true or false, not %q", name, value)
			}
		case name == "-n" || name == "--namespace" || slices.Contains(valued, name):
			if !hasValue {
				if i+1 == len(fields) {
					return line, fmt.Errorf("%s needs a value", name)
				}
				i++
				value = fields[i]
			}
			if name == "-n" || name == "--namespace" {
				line.namespace = value
			} else {
				line.flags[name] = value
			}
		default:
			return line, fmt.Errorf("podlife models %s, not %s", strings.Join(append(append([]string{"-n"}, valued...), switches...), ", "), f)
		}
	}
	return line, nil
}

// shellFields splits a command line as a shell does, as far as the step
// can hold it: on blanks, keeping what single quotes enclose as one field
// ('app in (web,api)').
func shellFields(args string) ([]string, error) {
	var fields []string
	var field strings.Builder
	inField, quoted := false, false
	for _, r := range args {
		switch {
		case r == '\'':
			quoted, inField = !quoted, true
		case !quoted && (r == ' ' || r == '\t'):
			if inField {
				fields = append(fields, field.String())
				field.Reset()
				inField = false
			}
		default:
			field.WriteRune(r)
			inField = true
		}
	}
	if quoted {
		return nil, errors.New("a single quote is not closed")
	}
	if inField {
		fields = append(fields, field.String())
	}
	return fields, nil
}

// scalableKinds are the kinds kubectl scale acts on through their scale
// subresource.
var scalableKinds = []string{"Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"}

func (w *World) kubectlScale(user, args string) error {
	line, err := parseKubectlLine(args, []string{"--replicas"}, nil)
	if err != nil {
		return w.errorf("kubectl scale %s: %v", args, err)
	}
	positional, namespace, replicas := line.positional, line.namespace, line.flags["--replicas"]
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
	return w.kubectlPairs("label", user, args, w.backend.Label)
}

func (w *World) kubectlAnnotate(user, args string) error {
	return w.kubectlPairs("annotate", user, args, w.backend.Annotate)
}

// kubectlPairs reads the command line of kubectl label or annotate: KIND
// NAME (or KIND/NAME), then KEY=VALUE and KEY- pairs, [--overwrite].
func (w *World) kubectlPairs(verb, user, args string, run func(kind, namespace, name string, specs []string, overwrite bool, user string) *kubectl.Result) error {
	line, err := parseKubectlLine(args, nil, []string{"--overwrite"})
	if err != nil {
		return w.errorf("kubectl %s %s: %v", verb, args, err)
	}
	positional, namespace := line.positional, line.namespace
	_, overwrite := line.flags["--overwrite"]
	if len(positional) < 2 {
		return w.errorf("kubectl %s %s: give KIND NAME (or KIND/NAME) and at least one KEY=VALUE or KEY-", verb, args)
	}
	target, specs := positional[:2], positional[2:]
	if strings.Contains(positional[0], "/") {
		target, specs = positional[:1], positional[1:]
	}
	kind, name, err := kindAndName(target)
	if err != nil {
		return w.errorf("kubectl %s %s: %v", verb, args, err)
	}
	for _, s := range specs {
		if !strings.Contains(s, "=") && !strings.HasSuffix(s, "-") { // kubectl would take it for another name
			return w.errorf("kubectl %s %s: %q is neither KEY=VALUE nor KEY-: podlife %ss one object at a time", verb, args, s, verb)
		}
	}
	if len(specs) == 0 {
		return w.errorf("kubectl %s %s: give at least one KEY=VALUE or KEY-", verb, args)
	}
	r, ok := apiserver.Resolve(kind)
	if !ok {
		return w.errorf("kubectl %s %s: podlife does not model resource type %q", verb, args, kind)
	}
	w.started = true
	w.last = run(r.GVK.Kind, namespace, name, specs, overwrite, user)
	return nil
}

func (w *World) kubectlTaint(user, args string) error {
	line, err := parseKubectlLine(args, nil, []string{"--overwrite"})
	if err != nil {
		return w.errorf("kubectl taint %s: %v", args, err)
	}
	positional := line.positional
	target, specs := positional, []string(nil)
	switch {
	case len(positional) >= 1 && strings.Contains(positional[0], "/"):
		target, specs = positional[:1], positional[1:]
	case len(positional) >= 2:
		target, specs = positional[:2], positional[2:]
	}
	kind, name, err := kindAndName(target)
	if err != nil {
		return w.errorf("kubectl taint %s: give nodes NODE (or node/NODE) and the taints", args)
	}
	if r, ok := apiserver.Resolve(kind); !ok || r.GVK.Kind != "Node" {
		return w.errorf("kubectl taint %s: invalid resource type %s, only node types are supported", args, kind)
	}
	_, overwrite := line.flags["--overwrite"]
	w.started = true
	w.last = w.backend.Taint(name, specs, overwrite, user)
	return nil
}

func (w *World) kubectlSetImage(user, args string) error {
	line, err := parseKubectlLine(args, nil, nil)
	if err != nil {
		return w.errorf("kubectl set image %s: %v", args, err)
	}
	positional := line.positional
	target, specs := positional, []string(nil)
	switch {
	case len(positional) >= 1 && strings.Contains(positional[0], "/"):
		target, specs = positional[:1], positional[1:]
	case len(positional) >= 2:
		target, specs = positional[:2], positional[2:]
	}
	kind, name, err := kindAndName(target)
	if err != nil {
		return w.errorf("kubectl set image %s: give KIND NAME (or KIND/NAME) and CONTAINER=IMAGE", args)
	}
	r, ok := apiserver.Resolve(kind)
	if !ok {
		return w.errorf("kubectl set image %s: podlife does not model resource type %q", args, kind)
	}
	w.started = true
	w.last = w.backend.SetImage(r.GVK.Kind, line.namespace, name, specs, user)
	return nil
}

// rolloutTarget reads the KIND NAME (or KIND/NAME) of `kubectl rollout
// VERB`, with the verb's valued flags; only is the one kind podlife
// models the verb for, "" when kubectl itself says which kinds it takes.
func (w *World) rolloutTarget(verb, args string, valued []string, only string) (kubectlLine, apiserver.Resource, string, error) {
	line, err := parseKubectlLine(args, valued, nil)
	if err != nil {
		return line, apiserver.Resource{}, "", w.errorf("kubectl rollout %s %s: %v", verb, args, err)
	}
	kind, name, err := kindAndName(line.positional)
	if err != nil {
		return line, apiserver.Resource{}, "", w.errorf("kubectl rollout %s %s: %v", verb, args, err)
	}
	r, ok := apiserver.Resolve(kind)
	switch {
	case !ok:
		return line, r, "", w.errorf("kubectl rollout %s %s: podlife does not model resource type %q", verb, args, kind)
	case only != "" && r.GVK.Kind != only:
		return line, r, "", w.errorf("kubectl rollout %s %s: podlife models rollout %s for %ss, not %q", verb, args, verb, only, kind)
	}
	w.started = true
	return line, r, name, nil
}

func (w *World) kubectlRolloutPause(user, verb, args string) error {
	line, r, name, err := w.rolloutTarget(verb, args, nil, "")
	if err != nil {
		return err
	}
	w.last = w.backend.RolloutPause(r.GVK.Kind, line.namespace, name, verb == "pause", user)
	return nil
}

func (w *World) kubectlRolloutStatus(user, args string) error {
	line, r, name, err := w.rolloutTarget("status", args, []string{"--timeout"}, "")
	if err != nil {
		return err
	}
	var timeout sim.Duration
	if t, given := line.flags["--timeout"]; given {
		if timeout, err = parseDuration(t); err != nil {
			return w.errorf("kubectl rollout status %s: --timeout wants a duration such as 60s, not %q", args, t)
		}
	}
	w.last = w.backend.RolloutStatus(r.GVK.Kind, line.namespace, name, timeout, user)
	return nil
}

func (w *World) kubectlRolloutUndo(user, args string) error {
	line, r, name, err := w.rolloutTarget("undo", args, []string{"--to-revision"}, "Deployment")
	if err != nil {
		return err
	}
	var revision int64
	if v, given := line.flags["--to-revision"]; given {
		if revision, err = strconv.ParseInt(v, 10, 64); err != nil {
			return w.errorf("kubectl rollout undo %s: --to-revision wants a revision number, not %q", args, v)
		}
	}
	w.last = w.backend.RolloutUndo(r.GVK.Kind, line.namespace, name, revision, user)
	return nil
}

// restartableKinds are the kinds kubectl rollout restart acts on.
var restartableKinds = []string{"Deployment", "StatefulSet", "DaemonSet"}

func (w *World) kubectlRolloutRestart(user, args string) error {
	line, err := parseKubectlLine(args, nil, nil)
	if err != nil {
		return w.errorf("kubectl rollout restart %s: %v", args, err)
	}
	positional, namespace := line.positional, line.namespace
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

func (w *World) kubectlDrain(user, args string) error {
	line, err := parseKubectlLine(args, []string{"--grace-period", "--timeout", "--pod-selector"},
		[]string{"--ignore-daemonsets", "--delete-emptydir-data", "--force", "--disable-eviction"})
	if err != nil {
		return w.errorf("kubectl drain %s: %v", args, err)
	}
	if len(line.positional) != 1 {
		return w.errorf("kubectl drain %s: give one node name", args)
	}
	opts := kubectl.DrainOptions{GracePeriodSeconds: -1, PodSelector: line.flags["--pod-selector"]}
	_, opts.IgnoreDaemonSets = line.flags["--ignore-daemonsets"]
	_, opts.DeleteEmptyDirData = line.flags["--delete-emptydir-data"]
	_, opts.Force = line.flags["--force"]
	_, opts.DisableEviction = line.flags["--disable-eviction"]
	if g, given := line.flags["--grace-period"]; given {
		if opts.GracePeriodSeconds, err = strconv.Atoi(g); err != nil {
			return w.errorf("kubectl drain %s: --grace-period wants whole seconds, not %q", args, g)
		}
	}
	if t, given := line.flags["--timeout"]; given {
		if opts.Timeout, err = parseDuration(t); err != nil {
			return w.errorf("kubectl drain %s: --timeout wants a duration such as 60s, not %q", args, t)
		}
	}
	w.started = true
	w.last = w.backend.Drain(strings.TrimPrefix(line.positional[0], "node/"), opts, user)
	return nil
}

// kindFor maps kubectl's resource words to the kinds its steps handle:
// "pod", "pods", "po", "deployments.apps".
func kindFor(word string) (string, bool) {
	r, ok := apiserver.Resolve(word)
	if !ok || !slices.Contains(kubectlKinds, r.GVK.Kind) {
		return "", false
	}
	return r.GVK.Kind, true
}

var kubectlKinds = []string{"Pod", "Service", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ConfigMap", "Secret", "Namespace",
	"ResourceQuota", "LimitRange", "ServiceAccount", "Node", "PersistentVolumeClaim", "PersistentVolume"}

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
