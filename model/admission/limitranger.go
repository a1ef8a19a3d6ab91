package admission

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	helpers "k8s.io/component-helpers/resource"

	"github.com/podlife/podlife/model/apiserver"
)

// LimitRanger (plugin/pkg/admission/limitranger) fills a pod's missing
// container requests and limits from the namespace's LimitRanges in the
// mutating phase, recording what it set in the kubernetes.io/limit-ranger
// annotation, and enforces their min, max and limit/request ratio in the
// validating phase.
type LimitRanger struct{}

// LimitRangerAnnotation records the defaults LimitRanger applied.
const LimitRangerAnnotation = "kubernetes.io/limit-ranger"

// Name implements apiserver.AdmissionPlugin.
func (LimitRanger) Name() string { return "LimitRanger" }

// Handles implements apiserver.AdmissionPlugin: pod creates in a namespace
// that has a LimitRange.
func (LimitRanger) Handles(r *apiserver.AdmissionRequest) bool {
	return pod(r) != nil && len(r.Store.List("LimitRange", r.Namespace)) > 0
}

func limitRanges(r *apiserver.AdmissionRequest) []*corev1.LimitRange {
	var out []*corev1.LimitRange
	for _, obj := range r.Store.List("LimitRange", r.Namespace) {
		out = append(out, obj.(*corev1.LimitRange))
	}
	return out
}

// Admit implements apiserver.Mutator: each LimitRange's Container defaults,
// in name order, fill what each container leaves unset.
func (LimitRanger) Admit(r *apiserver.AdmissionRequest) (string, error) {
	p := pod(r)
	var notes []string
	for _, lr := range limitRanges(r) {
		var set []string
		defaults := containerDefaults(lr)
		for i := range p.Spec.Containers {
			set = fill(&p.Spec.Containers[i], defaults, "container", set)
		}
		for i := range p.Spec.InitContainers {
			set = fill(&p.Spec.InitContainers[i], defaults, "init container", set)
		}
		if len(set) > 0 {
			if p.Annotations == nil {
				p.Annotations = map[string]string{}
			}
			p.Annotations[LimitRangerAnnotation] = "LimitRanger plugin set: " + strings.Join(set, "; ")
			notes = append(notes, p.Annotations[LimitRangerAnnotation])
		}
	}
	if len(notes) == 0 {
		return "nothing to default", nil
	}
	return strings.Join(notes, "; "), nil
}

func containerDefaults(lr *corev1.LimitRange) corev1.ResourceRequirements {
	d := corev1.ResourceRequirements{Requests: corev1.ResourceList{}, Limits: corev1.ResourceList{}}
	for _, item := range lr.Spec.Limits {
		if item.Type != corev1.LimitTypeContainer {
			continue
		}
		for name, q := range item.DefaultRequest {
			d.Requests[name] = q.DeepCopy()
		}
		for name, q := range item.Default {
			d.Limits[name] = q.DeepCopy()
		}
	}
	return d
}

// fill copies defaults into a container and appends what it set in the
// annotation's words: "cpu, memory request for container web".
func fill(c *corev1.Container, d corev1.ResourceRequirements, kind string, set []string) []string {
	copyMissing := func(dst *corev1.ResourceList, src corev1.ResourceList) []string {
		var names []string
		for _, name := range slices.Sorted(maps.Keys(src)) {
			if _, ok := (*dst)[name]; !ok {
				if *dst == nil {
					*dst = corev1.ResourceList{}
				}
				(*dst)[name] = src[name].DeepCopy()
				names = append(names, string(name))
			}
		}
		return names
	}
	limits := copyMissing(&c.Resources.Limits, d.Limits)
	requests := copyMissing(&c.Resources.Requests, d.Requests)
	if len(requests) > 0 {
		set = append(set, fmt.Sprintf("%s request for %s %s", strings.Join(requests, ", "), kind, c.Name))
	}
	if len(limits) > 0 {
		set = append(set, fmt.Sprintf("%s limit for %s %s", strings.Join(limits, ", "), kind, c.Name))
	}
	return set
}

// Validate implements apiserver.Validator. The upstream plugin walks each
// item's resources in map order; the model walks them by name, so several
// violations always print in the same order.
func (LimitRanger) Validate(r *apiserver.AdmissionRequest) (string, error) {
	p := pod(r)
	for _, lr := range limitRanges(r) {
		var errs []error
		for _, item := range lr.Spec.Limits {
			kind := string(item.Type)
			switch item.Type {
			case corev1.LimitTypeContainer:
				for _, list := range [][]corev1.Container{p.Spec.Containers, p.Spec.InitContainers} {
					for _, c := range list {
						errs = append(errs, constraints(item, kind, c.Resources.Requests, c.Resources.Limits)...)
					}
				}
			case corev1.LimitTypePod:
				requests := helpers.PodRequests(p, helpers.PodResourcesOptions{})
				limits := helpers.PodLimits(p, helpers.PodResourcesOptions{})
				errs = append(errs, constraints(item, kind, requests, limits)...)
			}
		}
		if err := utilerrors.NewAggregate(errs); err != nil {
			return "", err
		}
	}
	return "within every LimitRange", nil
}

func constraints(item corev1.LimitRangeItem, kind string, requests, limits corev1.ResourceList) []error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(item.Min)) {
		errs = appendErr(errs, minConstraint(kind, name, item.Min[name], requests, limits))
	}
	for _, name := range slices.Sorted(maps.Keys(item.Max)) {
		errs = appendErr(errs, maxConstraint(kind, name, item.Max[name], requests, limits))
	}
	for _, name := range slices.Sorted(maps.Keys(item.MaxLimitRequestRatio)) {
		errs = appendErr(errs, ratioConstraint(kind, name, item.MaxLimitRequestRatio[name], requests, limits))
	}
	return errs
}

func appendErr(errs []error, err error) []error {
	if err != nil {
		return append(errs, err)
	}
	return errs
}

// milli compares in milli-units unless a value would overflow them, as the
// plugin's requestLimitEnforcedValues does.
func milli(qs ...resource.Quantity) []int64 {
	out := make([]int64, len(qs))
	precise := true
	for _, q := range qs {
		precise = precise && q.Value() <= resource.MaxMilliValue
	}
	for i, q := range qs {
		if precise {
			out[i] = q.MilliValue()
		} else {
			out[i] = q.Value()
		}
	}
	return out
}

func minConstraint(kind string, name corev1.ResourceName, enforced resource.Quantity, requests, limits corev1.ResourceList) error {
	req, hasReq := requests[name]
	lim, hasLim := limits[name]
	v := milli(req, lim, enforced)
	switch {
	case !hasReq:
		return fmt.Errorf("minimum %s usage per %s is %s.  No request is specified", name, kind, enforced.String())
	case v[0] < v[2]:
		return fmt.Errorf("minimum %s usage per %s is %s, but request is %s", name, kind, enforced.String(), req.String())
	case hasLim && v[1] < v[2]:
		return fmt.Errorf("minimum %s usage per %s is %s, but limit is %s", name, kind, enforced.String(), lim.String())
	}
	return nil
}

func maxConstraint(kind string, name corev1.ResourceName, enforced resource.Quantity, requests, limits corev1.ResourceList) error {
	req, hasReq := requests[name]
	lim, hasLim := limits[name]
	v := milli(req, lim, enforced)
	switch {
	case !hasLim:
		return fmt.Errorf("maximum %s usage per %s is %s.  No limit is specified", name, kind, enforced.String())
	case v[1] > v[2]:
		return fmt.Errorf("maximum %s usage per %s is %s, but limit is %s", name, kind, enforced.String(), lim.String())
	case hasReq && v[0] > v[2]:
		return fmt.Errorf("maximum %s usage per %s is %s, but request is %s", name, kind, enforced.String(), req.String())
	}
	return nil
}

func ratioConstraint(kind string, name corev1.ResourceName, enforced resource.Quantity, requests, limits corev1.ResourceList) error {
	req, hasReq := requests[name]
	lim, hasLim := limits[name]
	v := milli(req, lim, enforced)
	if !hasReq || v[0] == 0 {
		return fmt.Errorf("%s max limit to request ratio per %s is %s, but no request is specified or request is 0", name, kind, enforced.String())
	}
	if !hasLim || v[1] == 0 {
		return fmt.Errorf("%s max limit to request ratio per %s is %s, but no limit is specified or limit is 0", name, kind, enforced.String())
	}
	observed := float64(v[1]) / float64(v[0])
	ratio, allowed := observed, float64(enforced.Value())
	if enforced.Value() <= resource.MaxMilliValue {
		ratio, allowed = observed*1000, float64(enforced.MilliValue())
	}
	if ratio > allowed {
		return fmt.Errorf("%s max limit to request ratio per %s is %s, but provided ratio is %f", name, kind, enforced.String(), observed)
	}
	return nil
}

var (
	_ apiserver.Mutator   = LimitRanger{}
	_ apiserver.Validator = LimitRanger{}
)
