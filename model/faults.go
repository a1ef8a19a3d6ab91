package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podlife/podlife/diag"
	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/kubelet"
	"github.com/podlife/podlife/model/sim"
)

// FaultsAPIVersion and FaultsKind name the cluster file's document of what
// the world outside the cluster does: the same faults the scenario steps
// declare ("the registry does not have image ...", "the application in
// image ... exits with code ..."), for `podlife apply` and `podlife explain
// pod` on a user's own manifests.
const (
	FaultsAPIVersion = "podlife.dev/v1alpha1"
	FaultsKind       = "Faults"
)

// Faults is that document.
type Faults struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   map[string]any `json:"metadata,omitempty"`
	Images     []ImageFaults  `json:"images,omitempty"`
	Nodes      []NodeFaults   `json:"nodes,omitempty"`
	CSIDrivers []CSIFaults    `json:"csiDrivers,omitempty"`
}

// CSIFaults is what a CSI driver's controller plugin does with
// ControllerPublishVolume: it fails (Fails times, or "always") with
// Message, or never answers (Hangs).
type CSIFaults struct {
	Name   string `json:"name"`
	Attach struct {
		Fails   json.RawMessage `json:"fails,omitempty"`
		Message string          `json:"message,omitempty"`
		Hangs   bool            `json:"hangs,omitempty"`
	} `json:"attach"`
}

// ImageFaults is what the registry and the application of one image do.
type ImageFaults struct {
	Image string `json:"image"`
	// Registry refuses every pull: NotFound, Unauthorized or Unreachable.
	Registry string `json:"registry,omitempty"`
	// Exits: each run (or the first Times) exits with Code after After.
	Exits *struct {
		Code  *int32 `json:"code"`
		After string `json:"after"`
		Times int    `json:"times,omitempty"`
	} `json:"exits,omitempty"`
	// OOMKilled: each run (or the first Times) is killed for memory.
	OOMKilled *struct {
		After string `json:"after"`
		Times int    `json:"times,omitempty"`
	} `json:"oomKilled,omitempty"`
	// Memory is what the application uses, from After on: above its
	// container's limit the kernel kills it.
	Memory *struct {
		Uses  string `json:"uses"`
		After string `json:"after,omitempty"`
	} `json:"memory,omitempty"`
	// Hangs: each run (or the first Times) stops answering after After.
	Hangs *struct {
		After string `json:"after"`
		Times int    `json:"times,omitempty"`
	} `json:"hangs,omitempty"`
	// Probes, by kind (readiness, liveness, startup): failed from From
	// (until To), or the first First probes of each run.
	Probes map[string]struct {
		From  string `json:"from,omitempty"`
		To    string `json:"to,omitempty"`
		First int    `json:"first,omitempty"`
	} `json:"probes,omitempty"`
}

// NodeFaults is what fails on one node.
type NodeFaults struct {
	Name string `json:"name"`
	// CNI: the network plugin's ADD fails Fails times, or "always".
	CNI *struct {
		Fails json.RawMessage `json:"fails"`
	} `json:"cni,omitempty"`
}

// isFaults reports whether a cluster file's document is a Faults document.
func isFaults(d *manifest.Document) bool {
	return d.GVK.GroupVersion().String() == FaultsAPIVersion && d.GVK.Kind == FaultsKind
}

// seedFaults declares a Faults document's faults, each problem at the
// position of its field.
func (c *Cluster) seedFaults(d *manifest.Document) diag.List {
	var f Faults
	dec := json.NewDecoder(bytes.NewReader(d.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return diag.List{diag.Errorf(d.Pos(), "%s: %v (see `podlife apply --help` for its fields)", FaultsKind, strings.TrimPrefix(err.Error(), "json: "))}
	}
	var errs diag.List
	at := func(path, format string, args ...any) {
		errs = append(errs, diag.Errorf(d.PosOf(path), format, args...))
	}
	duration := func(path, s string) sim.Duration {
		std, err := time.ParseDuration(s)
		switch {
		case err != nil:
			at(path, "%q is not a duration such as 500ms or 5s", s)
		case std < 0:
			at(path, "%q is negative: say a time from the start, such as 5s", s)
		case std%time.Millisecond != 0:
			at(path, "%q is finer than the model's millisecond clock", s)
		}
		return sim.Duration(std / time.Millisecond)
	}
	times := func(path string, n int) int {
		if n < 0 {
			at(path, "times: %d: say how many runs, at least 1, or leave it out for every run", n)
		}
		return n
	}
	for i, img := range f.Images {
		p := fmt.Sprintf("images[%d]", i)
		if err := kubelet.ValidImage(img.Image); err != nil {
			at(p+".image", "image %q: %v", img.Image, err)
			continue
		}
		desc := c.Images.Image(img.Image)
		if img.Registry != "" {
			r, ok := registryRefusals[img.Registry]
			if !ok {
				at(p+".registry", "registry: %q: say NotFound, Unauthorized or Unreachable", img.Registry)
			}
			desc.Refusal = r
		}
		if e := img.Exits; e != nil {
			if e.Code == nil || *e.Code < 0 || *e.Code > 255 {
				at(p+".exits", "exits: say the exit code, from 0 to 255, as code")
			} else {
				desc.Run = kubelet.Run{Declared: true, Exits: true, For: duration(p+".exits.after", e.After), ExitCode: *e.Code, Times: times(p+".exits.times", e.Times)}
			}
		}
		if o := img.OOMKilled; o != nil {
			desc.Run = kubelet.Run{Declared: true, Exits: true, For: duration(p+".oomKilled.after", o.After), OOMKilled: true, Times: times(p+".oomKilled.times", o.Times)}
		}
		if m := img.Memory; m != nil {
			q, err := resource.ParseQuantity(m.Uses)
			if err != nil || q.Sign() <= 0 {
				at(p+".memory.uses", "uses: %q: say an amount of memory such as 300Mi or 1Gi", m.Uses)
			}
			desc.Memory = q.Value()
			if m.After != "" {
				desc.MemoryAfter = duration(p+".memory.after", m.After)
			}
		}
		if h := img.Hangs; h != nil {
			desc.Hang = kubelet.Hang{Hangs: true, After: duration(p+".hangs.after", h.After), Times: times(p+".hangs.times", h.Times)}
		}
		if len(img.Probes) > 0 {
			desc.Probes = maps.Clone(desc.Probes)
			if desc.Probes == nil {
				desc.Probes = map[string]kubelet.ProbeFault{}
			}
		}
		for _, kind := range []string{"readiness", "liveness", "startup"} {
			pf, ok := img.Probes[kind]
			if !ok {
				continue
			}
			pp := p + ".probes." + kind
			var fault kubelet.ProbeFault
			switch {
			case pf.First > 0:
				fault.First = pf.First
			case pf.From != "":
				fault.From = sim.Time(duration(pp+".from", pf.From))
				if pf.To != "" {
					if fault.To = sim.Time(duration(pp+".to", pf.To)); fault.To <= fault.From {
						at(pp+".to", "to: %s: the end must come after from: %s", pf.To, pf.From)
					}
				}
			default:
				at(pp, "%s: say from (and to) a time, or first: N probes", kind)
			}
			desc.Probes[strings.ToUpper(kind[:1])+kind[1:]] = fault
		}
		for kind := range img.Probes {
			if kind != "readiness" && kind != "liveness" && kind != "startup" {
				at(p+".probes", "probes: %q: say readiness, liveness or startup", kind)
			}
		}
		c.Images.Describe(img.Image, desc)
	}
	for i, n := range f.Nodes {
		p := fmt.Sprintf("nodes[%d]", i)
		k := c.Kubelet(n.Name)
		if k == nil {
			at(p+".name", "no node %q: the cluster file has %s", n.Name, strings.Join(c.Nodes(), ", "))
			continue
		}
		if n.CNI != nil {
			if count, ok := failCount(n.CNI.Fails); ok && len(n.CNI.Fails) > 0 {
				k.FailCNI(count)
			} else {
				at(p+".cni.fails", "fails: %s: say a number of ADDs, at least 1, or always", n.CNI.Fails)
			}
		}
	}
	for i, d := range f.CSIDrivers {
		p := fmt.Sprintf("csiDrivers[%d]", i)
		a := d.Attach
		times, ok := failCount(a.Fails)
		switch {
		case d.Name == "":
			at(p, "name the CSI driver, such as ebs.csi.aws.com")
		case !ok:
			at(p+".attach.fails", "fails: %s: say a number of attaches, at least 1, or always", a.Fails)
		case a.Hangs == (a.Message != ""):
			at(p+".attach", "attach: say the error its external-attacher reports as message, or hangs: true")
		default:
			c.FailCSIAttach(d.Name, a.Message, a.Hangs, times)
		}
	}
	return errs
}

// failCount reads "fails": a positive count, "always" (-1), or nothing
// (always).
func failCount(raw json.RawMessage) (int, bool) {
	if len(raw) == 0 {
		return -1, true
	}
	var count int
	var word string
	switch {
	case json.Unmarshal(raw, &count) == nil && count > 0:
		return count, true
	case json.Unmarshal(raw, &word) == nil && word == "always":
		return -1, true
	}
	return 0, false
}

var registryRefusals = map[string]kubelet.Refusal{
	"NotFound":     kubelet.NotFound,
	"Unauthorized": kubelet.Unauthorized,
	"Unreachable":  kubelet.Unreachable,
}
