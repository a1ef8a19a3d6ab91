package steps

import (
	"fmt"
	"strings"

	"github.com/cucumber/godog"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/diag"
	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/sim"
)

// setupSteps describe the cluster before the scenario acts: latencies,
// nodes, users, images, objects it already has, and what users apply.
var setupSteps = []Definition{
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
		Doc:     "runs `kubectl apply -f` as that user with the YAML docstring (several documents allowed, in order): new objects are created with the manifest in their kubectl.kubernetes.io/last-applied-configuration annotation, existing ones updated with kubectl's three-way patch from that annotation (a field the manifest drops is removed, one it never said is kept; nothing to change prints \"unchanged\" and sends nothing)",
		Example: "When \"admin\" applies:\n  \"\"\"yaml\n  apiVersion: v1\n  kind: Pod\n  ...\n  \"\"\"",
		handler: func(w *World) any { return w.apply },
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
	w.applyRun = nil
	for _, d := range docs {
		w.last = w.backend.Apply(d, user)
		w.applyRun = append(w.applyRun, w.last)
		// The API server refuses unknown fields and malformed values (400);
		// their positions go with any failure that follows.
		w.refusedFields = append(w.refusedFields, d.Problems...)
	}
	return nil
}
