package steps

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/diag"
	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
	"github.com/podlife/podlife/verify"
)

// Definition is one step of the vocabulary: its pattern, what it does, an
// example, and the handler godog calls.
type Definition struct {
	Pattern string
	Doc     string
	Example string
	handler func(w *World) any
	// check marks an outcome or check step, which replaying a scenario
	// for other interleavings leaves out.
	check bool
	// configures marks a step that only sets how the model is built
	// (latencies, choices): a replay applies them all before building it.
	configures bool
	// namesFile marks a step that keeps a file named after its scenario
	// (a golden file, a counterexample).
	namesFile bool
	// scope says whether a real cluster can run the step, and why not.
	scope  stepScope
	reason string
}

// Definitions is the whole step vocabulary, grouped as a scenario reads:
// setup, actions, outcomes, checks. `podlife steps` prints it.
var Definitions = []Definition{
	{
		Pattern:    `^the latency of ([a-z-]+) is (\S+)$`,
		Doc:        "changes one of the model's named latencies (see `podlife steps`); must come before nodes, users and images",
		Example:    "Given the latency of image-pull is 5s",
		handler:    func(w *World) any { return w.setLatency },
		configures: true,
		scope:      modelKnob,
		reason:     "a real cluster has latencies of its own",
	},
	{
		Pattern:    `^the latency of ([a-z-]+) ranges from (\S+) to (\S+)$`,
		Doc:        "lets a latency vary for exploring interleavings: the scenario's own run uses the lower bound; 'for every interleaving' tries both bounds and the middle; must come before nodes, users and images",
		Example:    "Given the latency of kube-proxy-sync ranges from 0s to 2s",
		handler:    func(w *World) any { return w.latencyRangeStep },
		configures: true,
		scope:      modelOnly,
		reason:     "latency ranges are for exploring interleavings, which only the model can replay",
	},
	{
		Pattern:    `^the model takes the choices "([0-9,]*)"$`,
		Doc:        "replays one interleaving found by exploring: the model's same-instant decisions follow these choices (then the default order); must come before nodes, users and images",
		Example:    `Given the model takes the choices "0,0,1"`,
		handler:    func(w *World) any { return w.takeChoices },
		configures: true,
		scope:      modelOnly,
		reason:     "choices steer the model's same-instant decisions",
	},
	{
		Pattern: `^a cluster with nodes:$`,
		Doc:     "adds ready nodes from a table: name, and optionally cpu, memory, pods, labels (k=v,...), taints (k=v:Effect,...), unschedulable (true), images (already on the node, comma-separated)",
		Example: "Given a cluster with nodes:\n  | name   | cpu | memory | images     |\n  | node01 | 2   | 4Gi    | nginx:1.27 |",
		handler: func(w *World) any { return w.nodes },
	},
	{
		Pattern: `^a user "([^"]*)"(?: in groups? "([^"]*)")?$`,
		Doc:     "declares a user who authenticates with a static token, optionally in comma-separated groups; \"admin\" (in system:masters) always exists",
		Example: `Given a user "jane" in group "developers"`,
		handler: func(w *World) any { return w.user },
	},
	{
		Pattern: `^the registry serves images:$`,
		Doc:     "describes images: image, size (bytes, or a quantity such as 70Mi), pull (a duration), and how the application shuts down: stops accepting after SIGTERM, exits after SIGTERM (durations; both 0 by default: it quits at once)",
		Example: "Given the registry serves images:\n  | image | size | pull |\n  | nginx | 70Mi | 3s   |",
		handler: func(w *World) any { return w.images },
		scope:   modelKnob,
		reason:  "a real cluster pulls images with its own timing, and under kwok not at all",
	},
	{
		Pattern: `^the cluster already has:$`,
		Doc:     "stores a YAML docstring's objects as the cluster's settled initial state, as `podlife apply --cluster` does: no requests, no trace; namespaces get their default service account",
		Example: "Given the cluster already has:\n  \"\"\"yaml\n  apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: team-a\n  \"\"\"",
		handler: func(w *World) any { return w.alreadyHas },
	},
	{
		Pattern: `^"([^"]*)" applies:$`,
		Doc:     "runs `kubectl apply -f` as that user with the YAML docstring (several documents allowed, in order): new objects are created, existing ones updated",
		Example: "When \"admin\" applies:\n  \"\"\"yaml\n  apiVersion: v1\n  kind: Pod\n  ...\n  \"\"\"",
		handler: func(w *World) any { return w.apply },
	},
	{
		Pattern: `^"([^"]*)" runs "kubectl delete ([^"]*)"$`,
		Doc:     "deletes one object as the user, with kubectl delete's arguments: KIND NAME [-n NAMESPACE] [--grace-period=N] [--force] [--cascade=background|foreground|orphan]",
		Example: `When "admin" runs "kubectl delete pod web --grace-period=5"`,
		handler: func(w *World) any { return w.kubectlDelete },
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
		Pattern: `^"([^"]*)" runs "kubectl rollout restart ([^"]*)"$`,
		Doc:     "restarts a workload's pods as the user, with kubectl rollout restart's arguments: KIND NAME (or KIND/NAME) [-n NAMESPACE]: kubectl stamps the pod template's kubectl.kubernetes.io/restartedAt annotation with the time, and the changed template rolls out as a new version would",
		Example: `When "admin" runs "kubectl rollout restart deployment/web"`,
		handler: func(w *World) any { return w.kubectlRolloutRestart },
	},
	{
		Pattern: `^"([^"]*)" runs "kubectl (cordon|uncordon) ([^"]*)"$`,
		Doc:     "marks a node unschedulable (cordon) or schedulable again (uncordon) as the user; pods already on it stay",
		Example: `When "admin" runs "kubectl cordon node01"`,
		handler: func(w *World) any { return w.kubectlCordon },
	},
	{
		Pattern: `^"([^"]*)" runs "kubectl drain ([^"]*)"$`,
		Doc:     "drains a node as the user, with kubectl drain's arguments: NODE [--ignore-daemonsets] [--delete-emptydir-data] [--force] [--disable-eviction] [--grace-period=N] [--timeout=D] [--pod-selector=S]: kubectl cordons the node, evicts its pods through the Eviction API (retrying every 5s while a PodDisruptionBudget refuses), waits for each to be gone, and prints what a terminal shows; the command runs on while the cluster does, so let the cluster settle before its outcome",
		Example: `When "admin" runs "kubectl drain node01 --ignore-daemonsets"`,
		handler: func(w *World) any { return w.kubectlDrain },
	},
	{
		Pattern: `^clients send (\d+) requests? per second to service "([^"]*)" through (?:(kube-proxy|DNS) on node "([^"]*)"|(the ingress)) for (\S+?)(?:, each taking (\S+))?$`,
		Doc:     "starts steady traffic to a Service (NAME or NAMESPACE/NAME) from a client on a node, through its kube-proxy or through a DNS lookup first (cached for dns-ttl), or through the ingress controller, routed as that path sees the Service at each request; with \"each taking D\" the application needs D to answer, and a request still in flight when its container stops is reset; failures and a summary go in the trace, every request in CEL's `traffic` (outcome ok, refused, unreachable or reset)",
		Example: `When clients send 10 requests per second to service "web" through kube-proxy on node "node01" for 20s`,
		handler: func(w *World) any { return w.sendTraffic },
		scope:   modelOnly,
		reason:  "traffic runs through the model's kube-proxy, CoreDNS and ingress",
	},
	{
		Pattern: `^(no|\d+) requests? (?:to service "([^"]*)" )?failed$`,
		Doc:     "counts the traffic requests that did not get an answer from a pod (refused, unreachable or reset)",
		Example: `Then no request failed`,
		handler: func(w *World) any { return w.failedRequests },
		scope:   modelOnly,
		reason:  "traffic runs through the model's kube-proxy, CoreDNS and ingress",
		check:   true,
	},
	{
		Pattern: `^the scheduler explains every node$`,
		Doc:     "records each node's filter verdict (which plugin rejected it, and why) and each plugin's normalised score and weight in the trace",
		Example: `Given the scheduler explains every node`,
		handler: func(w *World) any { return w.explainScheduling },
		scope:   modelKnob,
		reason:  "kube-scheduler writes no per-node verdicts where a client can read them",
	},
	{
		Pattern: `^the cluster settles$`,
		Doc:     "lets virtual time run until no component has anything left to do",
		Example: "And the cluster settles",
		handler: func(w *World) any { return w.settle },
	},
	{
		Pattern: `^(\S+) pass(?:es)?$`,
		Doc:     "lets a span of virtual time pass (a Go duration: 500ms, 5s, 1m)",
		Example: "When 5s pass",
		handler: func(w *World) any { return w.advance },
	},
	{
		Pattern: `^pod "([^"]*)" is (Pending|Running|Succeeded|Failed|Unknown)$`,
		Doc:     "checks a pod's phase; a pod is named \"name\" (namespace default) or \"namespace/name\"",
		Example: `Then pod "pod-demo" is Running`,
		handler: func(w *World) any { return w.podPhase },
		check:   true,
	},
	{
		Pattern: `^pod "([^"]*)" is on node "([^"]*)"$`,
		Doc:     "checks the node a pod is bound to",
		Example: `Then pod "pod-demo" is on node "node01"`,
		handler: func(w *World) any { return w.podNode },
		check:   true,
	},
	{
		Pattern: `^pod "([^"]*)" is not scheduled$`,
		Doc:     "checks a pod has no node",
		Example: `Then pod "big" is not scheduled`,
		handler: func(w *World) any { return w.podUnscheduled },
		check:   true,
	},
	{
		Pattern: `^pod "([^"]*)" has an IP in ([0-9a-f.:/]+)$`,
		Doc:     "checks a pod's IP lies in a CIDR",
		Example: `Then pod "pod-demo" has an IP in 10.244.0.0/24`,
		handler: func(w *World) any { return w.podIP },
		check:   true,
	},
	{
		Pattern: `^all containers of pod "([^"]*)" are ready$`,
		Doc:     "checks every container of a pod reports ready",
		Example: `Then all containers of pod "pod-demo" are ready`,
		handler: func(w *World) any { return w.podReady },
		check:   true,
	},
	{
		Pattern: `^every request was accepted$`,
		Doc:     "checks that the API server accepted every request of the scenario",
		Example: "Then every request was accepted",
		handler: func(w *World) any { return w.allAccepted },
		check:   true,
	},
	{
		Pattern: `^the request was rejected with code (\d+) and message:$`,
		Doc:     "checks the last request's HTTP code (0: kubectl refused before sending) and exact message (docstring)",
		Example: "Then the request was rejected with code 403 and message:\n  \"\"\"\n  pods is forbidden: User \"jane\" cannot create resource \"pods\" in API group \"\" in the namespace \"default\"\n  \"\"\"",
		handler: func(w *World) any { return w.rejected },
		check:   true,
	},
	{
		Pattern: `^kubectl printed:$`,
		Doc:     "checks what the last kubectl command printed, stdout and stderr in the order a terminal shows them (docstring, exact)",
		Example: "Then kubectl printed:\n  \"\"\"\n  node/node01 cordoned\n  evicting pod default/web-7d4b9c-x2x8q\n  pod/web-7d4b9c-x2x8q evicted\n  node/node01 drained\n  \"\"\"",
		handler: func(w *World) any { return w.printed },
		check:   true,
	},
	{
		Pattern: `^the trace satisfies:$`,
		Doc:     "evaluates a CEL docstring over `events`, `pods`, `nodes`, `namespaces`, `endpointslices` and `requests`; helpers: events.first(name), events.last(name), events.named(name), events.before(a, b), where a name is an event's reason or action",
		Example: "Then the trace satisfies:\n  \"\"\"cel\n  events.before('Scheduled', 'Pulling')\n  \"\"\"",
		handler: func(w *World) any { return w.satisfies },
		check:   true,
	},
	{
		Pattern: `^the model's trace satisfies:$`,
		Doc:     "as 'the trace satisfies', for assertions on the model's internal steps (authentication, authorization, admission, scheduler filters, kubelet calls), which a real cluster does not expose: a cluster backend skips it",
		Example: "Then the model's trace satisfies:\n  \"\"\"cel\n  events.exists(e, e.action == 'authorize')\n  \"\"\"",
		handler: func(w *World) any { return w.satisfies },
		check:   true,
		scope:   modelCheck,
		reason:  "it reads the model's internal steps, which a real cluster does not expose",
	},
	{
		Pattern:   `^for every interleaving:$`,
		Doc:       "replays the scenario so far for every sample of its latency ranges and every order of events due at the same instant (fewest departures from the default order first, going on from each state only once, at most 2000 runs, or \"(at most N runs)\" as the docstring's last line), and checks a CEL invariant after each; a violation is shrunk to the fewest departures from the default order and reported with its latencies and choices",
		Example:   "Then for every interleaving:\n  \"\"\"cel\n  traffic.all(r, r.outcome == 'ok')\n  \"\"\"",
		handler:   func(w *World) any { return w.forEveryInterleaving },
		scope:     modelOnly,
		reason:    "exploring interleavings replays the scenario on the model",
		check:     true,
		namesFile: true,
	},
	{
		Pattern: `^some interleaving violates:$`,
		Doc:     "documents a known race: passes when exploring (as 'for every interleaving') finds a run that breaks the CEL invariant",
		Example: "Then some interleaving violates:\n  \"\"\"cel\n  traffic.all(r, r.outcome == 'ok')\n  \"\"\"",
		handler: func(w *World) any { return w.someInterleavingViolates },
		scope:   modelOnly,
		reason:  "exploring interleavings replays the scenario on the model",
		check:   true,
	},
	{
		Pattern:   "^" + goldenStep + "$",
		Doc:       "compares the whole trace with golden/<feature>/<scenario>.golden; `go test ./... -update` rewrites it",
		Example:   "Then the trace matches the golden file",
		handler:   func(w *World) any { return w.matchesGolden },
		scope:     modelCheck,
		reason:    "golden files are model-only: on a cluster, CEL assertions and outcome steps are what is checked",
		check:     true,
		namesFile: true,
	},
}

func (w *World) setLatency(name, value string) error {
	if !w.configurable() {
		return w.errorf("set latencies before the scenario declares nodes, users or images, or applies anything")
	}
	d, err := parseDuration(value)
	if err != nil {
		return w.errorf("latency %q: %v", name, err)
	}
	if err := w.lat.Set(name, d); err != nil {
		return w.errorf("%v", err)
	}
	w.newModel()
	return nil
}

func parseDuration(s string) (sim.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 500ms or 5s", s)
	}
	if d%time.Millisecond != 0 {
		return 0, fmt.Errorf("%q is finer than the model's millisecond clock", s)
	}
	return sim.Duration(d / time.Millisecond), nil
}

// table reads a godog table into rows of column name to cell, naming the
// cell at fault when a column is unknown.
func (w *World) table(t *godog.Table, known ...string) ([]map[string]string, error) {
	if len(t.Rows) == 0 {
		return nil, w.errorf("the table is empty")
	}
	header := t.Rows[0].Cells
	for _, c := range header {
		if !contains(known, c.Value) {
			return nil, w.errorf("unknown column %q; columns are %s", c.Value, quoteList(known))
		}
	}
	var rows []map[string]string
	for _, r := range t.Rows[1:] {
		row := map[string]string{}
		for i, c := range r.Cells {
			row[header[i].Value] = strings.TrimSpace(c.Value)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (w *World) nodes(t *godog.Table) error {
	rows, err := w.table(t, "name", "cpu", "memory", "pods", "labels", "taints", "unschedulable", "images")
	if err != nil {
		return err
	}
	for i, row := range rows {
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: row["name"], Labels: map[string]string{}}}
		node.Status.Capacity = corev1.ResourceList{}
		for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourcePods} {
			col := string(res)
			if v := row[col]; v != "" {
				q, err := resource.ParseQuantity(v)
				if err != nil {
					return w.cellErrorf(i, col, "node %q: %s %q is not a quantity: write a number with an optional suffix, such as 500m, 2, 128Mi or 1Gi", row["name"], col, v)
				}
				node.Status.Capacity[res] = q
			}
		}
		for _, kv := range splitList(row["labels"]) {
			k, v, _ := strings.Cut(kv, "=")
			node.Labels[k] = v
		}
		node.Labels[corev1.LabelHostname] = row["name"]
		for _, spec := range splitList(row["taints"]) {
			taint, err := parseTaint(spec)
			if err != nil {
				return w.cellErrorf(i, "taints", "node %q: %v", row["name"], err)
			}
			node.Spec.Taints = append(node.Spec.Taints, taint)
		}
		node.Spec.Unschedulable = row["unschedulable"] == "true"
		if err := w.backend.AddNode(node, splitList(row["images"])); err != nil {
			return w.errorf("%v", err)
		}
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseTaint reads "key=value:Effect" or "key:Effect", as kubectl taint does.
func parseTaint(spec string) (corev1.Taint, error) {
	kv, effect, ok := strings.Cut(spec, ":")
	if !ok {
		return corev1.Taint{}, fmt.Errorf("taint %q: want key=value:Effect", spec)
	}
	key, value, _ := strings.Cut(kv, "=")
	switch e := corev1.TaintEffect(effect); e {
	case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
		return corev1.Taint{Key: key, Value: value, Effect: e}, nil
	}
	return corev1.Taint{}, fmt.Errorf("taint %q: effect must be NoSchedule, PreferNoSchedule or NoExecute", spec)
}

func (w *World) user(name, groups string) error {
	w.declared = true
	w.backend.AddUser(name, splitList(groups)...)
	return nil
}

func (w *World) images(t *godog.Table) error {
	rows, err := w.table(t, "image", "size", "pull", "stops accepting after SIGTERM", "exits after SIGTERM")
	if err != nil {
		return err
	}
	w.declared = true
	for _, row := range rows {
		img := w.cluster.Images.Image(row["image"])
		if v := row["size"]; v != "" {
			q, err := resource.ParseQuantity(v)
			if err != nil {
				return w.errorf("image %q: size %q: %v", row["image"], v, err)
			}
			img.Size = q.Value()
		}
		for _, f := range []struct {
			column string
			field  *sim.Duration
		}{{"pull", &img.Pull}, {"stops accepting after SIGTERM", &img.StopAccepting}, {"exits after SIGTERM", &img.Exit}} {
			column, field := f.column, f.field
			if v := row[column]; v != "" {
				d, err := parseDuration(v)
				if err != nil {
					return w.errorf("image %q: %s: %v", row["image"], column, err)
				}
				*field = d
			}
		}
		w.cluster.Images.Describe(row["image"], img)
	}
	return nil
}

func (w *World) alreadyHas(doc *godog.DocString) error {
	docs, err := w.manifests(doc, false, "write the objects the cluster already has")
	if err != nil {
		return err
	}
	w.started = true
	return w.backend.SeedDocuments(docs)
}

// manifests parses a step's docstring, which must hold at least one object:
// one holding none (empty, or only comments) is a mistake, which kubectl
// apply refuses too, not a step that does nothing.
func (w *World) manifests(doc *godog.DocString, asSent bool, hint string) ([]*manifest.Document, error) {
	pos, _ := w.docPos()
	docs, err := parseDocstring(pos, doc.Content, asSent)
	if err == nil && len(docs) == 0 {
		err = diag.Errorf(pos, "the docstring holds no Kubernetes object (kubectl apply says %q): %s", "error: no objects passed to apply", hint)
	}
	return docs, err
}

func (w *World) apply(user string, doc *godog.DocString) error {
	docs, err := w.manifests(doc, true, "write the manifests to apply")
	if err != nil {
		return err
	}
	w.started = true
	for _, d := range docs {
		w.last = w.backend.Apply(d, user)
		// The API server refuses unknown fields and malformed values (400);
		// their positions go with any failure that follows.
		w.refusedFields = append(w.refusedFields, d.Problems...)
	}
	return nil
}

func (w *World) sendTraffic(rate, service, path, node, ingress, span, taking string) error {
	n, _ := strconv.Atoi(rate)
	d, err := parseDuration(span)
	if err != nil {
		return w.errorf("%v", err)
	}
	var answer sim.Duration
	if taking != "" {
		if answer, err = parseDuration(taking); err != nil {
			return w.errorf("%v", err)
		}
	}
	via := "ingress-nginx"
	switch {
	case ingress != "":
	case path == "DNS":
		via = "dns/" + node
	default:
		via = "kube-proxy/" + node
	}
	ns, name := splitRef(service)
	w.started = true
	if err := w.cluster.SendTraffic(sim.Key{Kind: "Service", Namespace: ns, Name: name}, via, n, d, answer); err != nil {
		return w.errorf("%v", err)
	}
	return nil
}

func (w *World) failedRequests(count, service string) error {
	want := 0
	if count != "no" {
		want, _ = strconv.Atoi(count)
	}
	failed, sent := 0, 0
	var outcomes []string
	for _, r := range w.cluster.Traffic() {
		if service != "" {
			ns, name := splitRef(service)
			if r.Service != ns+"/"+name {
				continue
			}
		}
		sent++
		if r.Outcome != "ok" {
			failed++
			outcomes = append(outcomes, fmt.Sprintf("  at %v: %s via %s to %s", sim.Time(r.Time), r.Outcome, r.Via, orNone(r.Backend)))
		}
	}
	if sent == 0 {
		return w.errorf("no traffic was sent: start it with \"clients send N requests per second to service ...\"")
	}
	if failed != want {
		return w.errorf("%d of %d requests failed, not %d:\n%s", failed, sent, want, strings.Join(outcomes, "\n"))
	}
	return nil
}

// splitRef reads "NAME" (in default) or "NAMESPACE/NAME".
func splitRef(ref string) (string, string) {
	if ns, name, ok := strings.Cut(ref, "/"); ok {
		return ns, name
	}
	return "default", ref
}

func (w *World) explainScheduling() error {
	w.cluster.ExplainScheduling()
	return nil
}

func (w *World) settle() error {
	w.started = true
	return w.backend.Settle()
}

func (w *World) advance(span string) error {
	d, err := parseDuration(span)
	if err != nil {
		return w.errorf("%v", err)
	}
	w.started = true
	w.backend.Advance(d)
	return nil
}

func (w *World) podPhase(ref, phase string) error {
	p, err := w.pod(ref)
	if err != nil {
		return err
	}
	if string(p.Status.Phase) != phase {
		return w.errorf("pod %s is %s, not %s", ref, orNone(string(p.Status.Phase)), phase)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func (w *World) podNode(ref, node string) error {
	p, err := w.pod(ref)
	if err != nil {
		return err
	}
	if p.Spec.NodeName != node {
		return w.errorf("pod %s is on node %s, not %s", ref, orNone(p.Spec.NodeName), node)
	}
	return nil
}

func (w *World) podUnscheduled(ref string) error {
	p, err := w.pod(ref)
	if err != nil {
		return err
	}
	if p.Spec.NodeName != "" {
		return w.errorf("pod %s is on node %s", ref, p.Spec.NodeName)
	}
	return nil
}

func (w *World) podIP(ref, cidr string) error {
	p, err := w.pod(ref)
	if err != nil {
		return err
	}
	prefix, err := netip.ParsePrefix(cidr)
	if err != nil {
		return w.errorf("%q is not a CIDR: %v", cidr, err)
	}
	ip, err := netip.ParseAddr(p.Status.PodIP)
	if err != nil || !prefix.Contains(ip) {
		return w.errorf("pod %s has IP %s, not one in %s", ref, orNone(p.Status.PodIP), cidr)
	}
	return nil
}

func (w *World) podReady(ref string) error {
	p, err := w.pod(ref)
	if err != nil {
		return err
	}
	if len(p.Status.ContainerStatuses) == 0 {
		return w.errorf("pod %s reports no containers yet", ref)
	}
	var unready []string
	for _, cs := range p.Status.ContainerStatuses {
		if !cs.Ready {
			unready = append(unready, cs.Name)
		}
	}
	if len(unready) > 0 {
		return w.errorf("pod %s has unready containers: %s", ref, strings.Join(unready, ", "))
	}
	return nil
}

func (w *World) allAccepted() error {
	var errs []string
	for _, r := range w.backend.Requests() {
		if !r.Done {
			errs = append(errs, fmt.Sprintf("%s %s: no response yet (let time pass first)", r.Verb, r.Object))
		} else if !r.Allowed {
			errs = append(errs, fmt.Sprintf("%s %s: %d %s", r.Verb, r.Object, r.Code, r.Message))
		}
	}
	if len(errs) > 0 {
		return w.errorf("some requests were not accepted:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

func (w *World) printed(want *godog.DocString) error {
	if w.last == nil {
		return w.errorf("no kubectl command was run")
	}
	if !w.last.Done {
		return w.errorf("kubectl is still running: let the cluster settle first")
	}
	if got := w.last.Output; got != strings.TrimSpace(want.Content) {
		return w.errorf("kubectl printed:\n%s\nnot:\n%s", indent(got), indent(strings.TrimSpace(want.Content)))
	}
	return nil
}

func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }

func (w *World) rejected(code string, message *godog.DocString) error {
	if w.last == nil {
		return w.errorf("no request was made")
	}
	if !w.last.Done {
		return w.errorf("the request has no response yet: let time pass first")
	}
	want := strings.TrimSpace(message.Content)
	if w.last.Allowed {
		return w.errorf("the request was accepted: %s", w.last.Message)
	}
	if strconv.Itoa(w.last.Code) != code || w.last.Message != want {
		return w.errorf("the request was rejected with code %d and message:\n  %s\nnot code %s and message:\n  %s", w.last.Code, w.last.Message, code, want)
	}
	return nil
}

func (w *World) satisfies(doc *godog.DocString) error {
	state, err := w.state()
	if err != nil {
		return err
	}
	pos, indent := w.docPos()
	return verify.Check(verify.Assertion{Expr: doc.Content, Pos: pos, Indent: indent}, state)
}

// goldenStep is the golden-file step's text.
const goldenStep = "the trace matches the golden file"

func (w *World) matchesGolden() error {
	if w.cfg.Golden == nil {
		return errors.New("no golden directory is configured")
	}
	actual := []byte(trace.Text(w.backend.Events()))
	if verify.UpdateRequested() {
		// Rewritten only once the whole scenario has passed: a later
		// failure must not leave a golden file pinned to a broken run.
		w.pendingGolden = actual
		return nil
	}
	return w.cfg.Golden.Check(w.cfg.T, w.uri, w.scenario, actual)
}
