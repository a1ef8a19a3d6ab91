package admission

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	helpers "k8s.io/component-helpers/resource"

	"github.com/podlife/podlife/model/apiserver"
)

// ResourceQuota admission (apiserver/pkg/admission/plugin/resourcequota,
// controller.go CheckRequest): every quota of the namespace whose scopes
// match the object and whose status the quota controller has filled is
// checked; a pod that leaves out a request or limit the quota tracks fails
// with "must specify"; one that would take usage over a hard limit fails
// with "exceeded quota"; otherwise the new usage is charged to the quota at
// once. Quotas are walked in name order.
type ResourceQuota struct{}

// Name implements apiserver.AdmissionPlugin.
func (ResourceQuota) Name() string { return "ResourceQuota" }

// Handles implements apiserver.AdmissionPlugin: creates the model's quota
// evaluators count (pods and object counts).
func (ResourceQuota) Handles(r *apiserver.AdmissionRequest) bool {
	return r.Operation == "CREATE" && r.Resource.Namespaced && len(r.Store.List("ResourceQuota", r.Namespace)) > 0
}

// Validate implements apiserver.Validator.
func (ResourceQuota) Validate(r *apiserver.AdmissionRequest) (string, error) {
	usage := Usage(r.Resource, r.Object)
	var charged []*corev1.ResourceQuota
	var notes []string
	for _, obj := range r.Store.List("ResourceQuota", r.Namespace) {
		q := obj.(*corev1.ResourceQuota)
		if !Matches(q, r.Object) {
			continue
		}
		if len(q.Status.Hard) == 0 {
			notes = append(notes, fmt.Sprintf("quota %s has no status from the quota controller yet: not enforced", q.Name))
			continue
		}
		tracked := trackedBy(q.Status.Hard, r.Resource)
		if p, ok := r.Object.(*corev1.Pod); ok {
			if err := podConstraints(tracked, p); err != nil {
				return "", fmt.Errorf("failed quota: %s: %v", q.Name, err)
			}
		}
		for _, name := range tracked {
			if _, ok := q.Status.Used[name]; !ok {
				return "", fmt.Errorf("status unknown for quota: %s, resources: %s", q.Name, joinNames(tracked))
			}
		}
		requested := mask(usage, q.Status.Hard)
		if len(requested) == 0 {
			continue
		}
		used := add(q.Status.Used, requested)
		var exceeded []corev1.ResourceName
		for _, name := range slices.Sorted(maps.Keys(requested)) {
			if hard, total := q.Status.Hard[name], used[name]; total.Cmp(hard) > 0 {
				exceeded = append(exceeded, name)
			}
		}
		if len(exceeded) > 0 {
			return "", fmt.Errorf("exceeded quota: %s, requested: %s, used: %s, limited: %s", q.Name,
				prettyPrint(pick(requested, exceeded)), prettyPrint(pick(q.Status.Used, exceeded)), prettyPrint(pick(q.Status.Hard, exceeded)))
		}
		next := q.DeepCopy()
		next.Status.Used = used
		charged = append(charged, next)
		notes = append(notes, fmt.Sprintf("charged %s to quota %s", prettyPrint(requested), q.Name))
	}
	for _, q := range charged {
		r.Persist(q)
	}
	if len(notes) == 0 {
		return "no quota tracks this object", nil
	}
	return strings.Join(notes, "; "), nil
}

// Usage is what an object counts against quota
// (pkg/quota/v1/evaluator/core/pods.go PodUsageFunc; generic object counts
// as count/<resource>[.<group>]).
func Usage(res apiserver.Resource, obj any) corev1.ResourceList {
	one := *resource.NewQuantity(1, resource.DecimalSI)
	countName := "count/" + res.Resource
	if res.GVK.Group != "" {
		countName += "." + res.GVK.Group
	}
	usage := corev1.ResourceList{corev1.ResourceName(countName): one}
	switch o := obj.(type) {
	case *corev1.Pod:
		if o.Status.Phase == corev1.PodSucceeded || o.Status.Phase == corev1.PodFailed {
			return usage // terminal pods hold only their object count
		}
		usage[corev1.ResourcePods] = one
		requests := helpers.PodRequests(o, helpers.PodResourcesOptions{})
		limits := helpers.PodLimits(o, helpers.PodResourcesOptions{})
		for _, r := range []struct{ plain, request, limit corev1.ResourceName }{
			{corev1.ResourceCPU, corev1.ResourceRequestsCPU, corev1.ResourceLimitsCPU},
			{corev1.ResourceMemory, corev1.ResourceRequestsMemory, corev1.ResourceLimitsMemory},
			{corev1.ResourceEphemeralStorage, corev1.ResourceRequestsEphemeralStorage, corev1.ResourceLimitsEphemeralStorage},
		} {
			if q, ok := requests[r.plain]; ok {
				usage[r.plain], usage[r.request] = q, q
			}
			if q, ok := limits[r.plain]; ok {
				usage[r.limit] = q
			}
		}
	case *corev1.Service:
		usage[corev1.ResourceServices] = one
		switch o.Spec.Type {
		case corev1.ServiceTypeNodePort:
			usage[corev1.ResourceServicesNodePorts] = *resource.NewQuantity(int64(len(o.Spec.Ports)), resource.DecimalSI)
		case corev1.ServiceTypeLoadBalancer:
			usage[corev1.ResourceServicesLoadBalancers] = one
		}
	case *corev1.ConfigMap:
		usage[corev1.ResourceConfigMaps] = one
	case *corev1.Secret:
		usage[corev1.ResourceSecrets] = one
	}
	return usage
}

// trackedBy is the subset of a quota's hard resources that an object of
// this resource can consume (the evaluator's MatchingResources).
func trackedBy(hard corev1.ResourceList, res apiserver.Resource) []corev1.ResourceName {
	var out []corev1.ResourceName
	for _, name := range slices.Sorted(maps.Keys(hard)) {
		if strings.HasPrefix(string(name), "count/") {
			out = append(out, name)
			continue
		}
		switch res.Resource {
		case "pods":
			switch name {
			case corev1.ResourcePods, corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage,
				corev1.ResourceRequestsCPU, corev1.ResourceRequestsMemory, corev1.ResourceRequestsEphemeralStorage,
				corev1.ResourceLimitsCPU, corev1.ResourceLimitsMemory, corev1.ResourceLimitsEphemeralStorage:
				out = append(out, name)
			}
		case "services":
			if name == corev1.ResourceServices || name == corev1.ResourceServicesNodePorts || name == corev1.ResourceServicesLoadBalancers {
				out = append(out, name)
			}
		case "configmaps":
			if name == corev1.ResourceConfigMaps {
				out = append(out, name)
			}
		case "secrets":
			if name == corev1.ResourceSecrets {
				out = append(out, name)
			}
		}
	}
	return out
}

// podConstraints is the pod evaluator's Constraints: when a quota tracks
// cpu or memory requests or limits, every container must state them.
func podConstraints(tracked []corev1.ResourceName, p *corev1.Pod) error {
	validation := map[corev1.ResourceName]bool{corev1.ResourceCPU: true, corev1.ResourceMemory: true,
		corev1.ResourceRequestsCPU: true, corev1.ResourceRequestsMemory: true, corev1.ResourceLimitsCPU: true, corev1.ResourceLimitsMemory: true}
	missing := map[corev1.ResourceName][]string{}
	for _, list := range [][]corev1.Container{p.Spec.Containers, p.Spec.InitContainers} {
		for _, c := range list {
			has := containerQuotaResources(c)
			for _, name := range tracked {
				if validation[name] && !has[name] && !contains(missing[name], c.Name) {
					missing[name] = append(missing[name], c.Name)
				}
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	var parts []string
	for _, name := range sortedKeys(missing) {
		names := missing[name]
		sort.Strings(names)
		parts = append(parts, fmt.Sprintf("%s for: %s", name, strings.Join(names, ",")))
	}
	return fmt.Errorf("must specify %s", strings.Join(parts, "; "))
}

func containerQuotaResources(c corev1.Container) map[corev1.ResourceName]bool {
	has := map[corev1.ResourceName]bool{}
	if _, ok := c.Resources.Requests[corev1.ResourceCPU]; ok {
		has[corev1.ResourceCPU], has[corev1.ResourceRequestsCPU] = true, true
	}
	if _, ok := c.Resources.Requests[corev1.ResourceMemory]; ok {
		has[corev1.ResourceMemory], has[corev1.ResourceRequestsMemory] = true, true
	}
	if _, ok := c.Resources.Limits[corev1.ResourceCPU]; ok {
		has[corev1.ResourceLimitsCPU] = true
	}
	if _, ok := c.Resources.Limits[corev1.ResourceMemory]; ok {
		has[corev1.ResourceLimitsMemory] = true
	}
	return has
}

// Matches reports whether a quota's scopes and scope selector select the
// object (pods.go podMatchesScopeFunc). Scopes only apply to pods.
func Matches(q *corev1.ResourceQuota, obj any) bool {
	var reqs []corev1.ScopedResourceSelectorRequirement
	for _, s := range q.Spec.Scopes {
		reqs = append(reqs, corev1.ScopedResourceSelectorRequirement{ScopeName: s, Operator: corev1.ScopeSelectorOpExists})
	}
	if q.Spec.ScopeSelector != nil {
		reqs = append(reqs, q.Spec.ScopeSelector.MatchExpressions...)
	}
	if len(reqs) == 0 {
		return true
	}
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return false
	}
	for _, req := range reqs {
		if !scopeMatches(req, p) {
			return false
		}
	}
	return true
}

func scopeMatches(req corev1.ScopedResourceSelectorRequirement, p *corev1.Pod) bool {
	terminating := p.Spec.ActiveDeadlineSeconds != nil && *p.Spec.ActiveDeadlineSeconds >= 0
	switch req.ScopeName {
	case corev1.ResourceQuotaScopeTerminating:
		return terminating
	case corev1.ResourceQuotaScopeNotTerminating:
		return !terminating
	case corev1.ResourceQuotaScopeBestEffort:
		return bestEffort(p)
	case corev1.ResourceQuotaScopeNotBestEffort:
		return !bestEffort(p)
	case corev1.ResourceQuotaScopePriorityClass:
		if req.Operator == corev1.ScopeSelectorOpExists {
			return p.Spec.PriorityClassName != ""
		}
		var op selection.Operator
		switch req.Operator {
		case corev1.ScopeSelectorOpIn:
			op = selection.In
		case corev1.ScopeSelectorOpNotIn:
			op = selection.NotIn
		case corev1.ScopeSelectorOpDoesNotExist:
			op = selection.DoesNotExist
		default:
			return false
		}
		r, err := labels.NewRequirement(string(corev1.ResourceQuotaScopePriorityClass), op, req.Values)
		if err != nil {
			return false
		}
		set := labels.Set{}
		if p.Spec.PriorityClassName != "" {
			set[string(corev1.ResourceQuotaScopePriorityClass)] = p.Spec.PriorityClassName
		}
		return labels.NewSelector().Add(*r).Matches(set)
	}
	return false
}

// bestEffort: no container requests or limits cpu or memory (the QoS class
// BestEffort, pkg/apis/core/v1/helper/qos).
func bestEffort(p *corev1.Pod) bool {
	for _, list := range [][]corev1.Container{p.Spec.Containers, p.Spec.InitContainers} {
		for _, c := range list {
			for _, rl := range []corev1.ResourceList{c.Resources.Requests, c.Resources.Limits} {
				for name, q := range rl {
					if (name == corev1.ResourceCPU || name == corev1.ResourceMemory) && !q.IsZero() {
						return false
					}
				}
			}
		}
	}
	return true
}

func mask(list corev1.ResourceList, keep corev1.ResourceList) corev1.ResourceList {
	out := corev1.ResourceList{}
	for name, q := range list {
		if _, ok := keep[name]; ok {
			out[name] = q
		}
	}
	return out
}

func pick(list corev1.ResourceList, names []corev1.ResourceName) corev1.ResourceList {
	out := corev1.ResourceList{}
	for _, name := range names {
		if q, ok := list[name]; ok {
			out[name] = q
		}
	}
	return out
}

func add(a, b corev1.ResourceList) corev1.ResourceList {
	out := corev1.ResourceList{}
	for name, q := range a {
		out[name] = q.DeepCopy()
	}
	for name, q := range b {
		sum := out[name]
		sum.Add(q)
		out[name] = sum
	}
	return out
}

// prettyPrint is the quota plugin's "name=qty" list, sorted and joined by ",".
func prettyPrint(list corev1.ResourceList) string {
	parts := make([]string, 0, len(list))
	for _, name := range slices.Sorted(maps.Keys(list)) {
		q := list[name]
		parts = append(parts, string(name)+"="+q.String())
	}
	return strings.Join(parts, ",")
}

func joinNames(names []corev1.ResourceName) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = string(n)
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

func sortedKeys(m map[corev1.ResourceName][]string) []corev1.ResourceName {
	out := make([]corev1.ResourceName, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var _ apiserver.Validator = ResourceQuota{}
