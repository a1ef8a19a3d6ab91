package admission

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

func newStore(t *testing.T, objs ...sim.Object) *sim.Store {
	t.Helper()
	s := sim.NewStore(sim.New(nil))
	for _, o := range objs {
		if _, err := s.Create(o); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func namespace(name string, phase corev1.NamespacePhase, labels map[string]string) *corev1.Namespace {
	return &corev1.Namespace{TypeMeta: metav1.TypeMeta{Kind: "Namespace"}, ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Status: corev1.NamespaceStatus{Phase: phase}}
}

func serviceAccount(ns, name string) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{Kind: "ServiceAccount"}, ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}
}

func podRequest(s *sim.Store, ns string, p *corev1.Pod) *apiserver.AdmissionRequest {
	res, _ := apiserver.ResourceFor("Pod")
	p.Namespace = ns
	return &apiserver.AdmissionRequest{Operation: "CREATE", Resource: res, Namespace: ns, Object: p, Store: s}
}

func simplePod(name string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27"}}}}
}

func TestNamespaceLifecycle(t *testing.T) {
	s := newStore(t, namespace("active", corev1.NamespaceActive, nil), namespace("going", corev1.NamespaceTerminating, nil))
	for _, tc := range []struct{ ns, want string }{
		{"active", ""},
		{"going", `pods "web" is forbidden: unable to create new content in namespace going because it is being terminated`},
		{"missing", `namespaces "missing" not found`},
	} {
		r := podRequest(s, tc.ns, simplePod("web"))
		_, err := NamespaceLifecycle{}.Admit(r)
		got := ""
		if err != nil {
			got = apiserver.ForbiddenByAdmission(r, err).Error()
		}
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.ns, got, tc.want)
		}
	}
}

func TestServiceAccountAdmission(t *testing.T) {
	off := false
	quiet := serviceAccount("apps", "quiet")
	quiet.AutomountServiceAccountToken = &off
	s := newStore(t, serviceAccount("apps", "default"), quiet)

	p := simplePod("web")
	if _, err := (ServiceAccount{}).Admit(podRequest(s, "apps", p)); err != nil {
		t.Fatal(err)
	}
	if p.Spec.ServiceAccountName != "default" || len(p.Spec.Volumes) != 1 || !strings.HasPrefix(p.Spec.Volumes[0].Name, "kube-api-access-") {
		t.Fatalf("spec = %+v", p.Spec)
	}
	if m := p.Spec.Containers[0].VolumeMounts; len(m) != 1 || m[0].MountPath != TokenMountPath || !m[0].ReadOnly {
		t.Fatalf("mounts = %+v", m)
	}

	p = simplePod("web")
	p.Spec.ServiceAccountName = "quiet"
	if _, err := (ServiceAccount{}).Admit(podRequest(s, "apps", p)); err != nil || len(p.Spec.Volumes) != 0 {
		t.Fatalf("automount false: err %v, volumes %v", err, p.Spec.Volumes)
	}

	// Seen on a real control plane (../shared/k8s-facts.md).
	r := podRequest(s, "fresh", simplePod("web"))
	_, err := (ServiceAccount{}).Admit(r)
	want := `pods "web" is forbidden: error looking up service account fresh/default: serviceaccount "default" not found`
	if err == nil || apiserver.ForbiddenByAdmission(r, err).Error() != want {
		t.Fatalf("missing account: %v", err)
	}
}

func TestPodSecurityModes(t *testing.T) {
	s := newStore(t,
		namespace("locked", corev1.NamespaceActive, map[string]string{"pod-security.kubernetes.io/enforce": "baseline"}),
		namespace("watched", corev1.NamespaceActive, map[string]string{"pod-security.kubernetes.io/warn": "baseline"}),
		namespace("open", corev1.NamespaceActive, nil))
	privileged := func() *corev1.Pod {
		p := simplePod("root")
		yes := true
		p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: &yes}
		return p
	}
	ps := NewPodSecurity()
	detail := `privileged (container "app" must not set securityContext.privileged=true)`

	_, err := ps.Validate(podRequest(s, "locked", privileged()))
	if err == nil || err.Error() != `violates PodSecurity "baseline:latest": `+detail {
		t.Errorf("enforce: %v", err)
	}
	r := podRequest(s, "watched", privileged())
	if _, err := ps.Validate(r); err != nil || len(r.Warnings) != 1 || r.Warnings[0] != `would violate PodSecurity "baseline:latest": `+detail {
		t.Errorf("warn: err %v, warnings %q", err, r.Warnings)
	}
	r = podRequest(s, "open", privileged())
	if _, err := ps.Validate(r); err != nil || len(r.Warnings) != 0 {
		t.Errorf("privileged namespace: err %v, warnings %q", err, r.Warnings)
	}
}

func TestQuotaScopes(t *testing.T) {
	deadline := int64(60)
	bestEffort := simplePod("be")
	burstable := simplePod("b")
	burstable.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: *resourceQty("100m")}
	job := simplePod("job")
	job.Spec.ActiveDeadlineSeconds = &deadline
	critical := simplePod("c")
	critical.Spec.PriorityClassName = "high"
	quota := func(scopes []corev1.ResourceQuotaScope, sel *corev1.ScopeSelector) *corev1.ResourceQuota {
		return &corev1.ResourceQuota{Spec: corev1.ResourceQuotaSpec{Scopes: scopes, ScopeSelector: sel}}
	}
	high := &corev1.ScopeSelector{MatchExpressions: []corev1.ScopedResourceSelectorRequirement{{ScopeName: corev1.ResourceQuotaScopePriorityClass, Operator: corev1.ScopeSelectorOpIn, Values: []string{"high"}}}}
	for _, tc := range []struct {
		name string
		q    *corev1.ResourceQuota
		pod  *corev1.Pod
		want bool
	}{
		{"no scope", quota(nil, nil), bestEffort, true},
		{"BestEffort", quota([]corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeBestEffort}, nil), bestEffort, true},
		{"BestEffort skips burstable", quota([]corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeBestEffort}, nil), burstable, false},
		{"NotBestEffort", quota([]corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeNotBestEffort}, nil), burstable, true},
		{"Terminating", quota([]corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeTerminating}, nil), job, true},
		{"NotTerminating", quota([]corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeNotTerminating}, nil), job, false},
		{"PriorityClass In", quota(nil, high), critical, true},
		{"PriorityClass In, none set", quota(nil, high), bestEffort, false},
	} {
		if got := Matches(tc.q, tc.pod); got != tc.want {
			t.Errorf("%s: Matches = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func resourceQty(s string) *resource.Quantity { q := resource.MustParse(s); return &q }

func TestPriorityAdmission(t *testing.T) {
	never := corev1.PreemptNever
	s := newStore(t,
		&schedulingv1.PriorityClass{TypeMeta: metav1.TypeMeta{Kind: "PriorityClass"}, ObjectMeta: metav1.ObjectMeta{Name: "high"}, Value: 1000},
		&schedulingv1.PriorityClass{TypeMeta: metav1.TypeMeta{Kind: "PriorityClass"}, ObjectMeta: metav1.ObjectMeta{Name: "polite"}, Value: 500, PreemptionPolicy: &never})
	p := simplePod("a")
	p.Spec.PriorityClassName = "high"
	if _, err := (Priority{}).Admit(podRequest(s, "default", p)); err != nil || *p.Spec.Priority != 1000 || *p.Spec.PreemptionPolicy != corev1.PreemptLowerPriority {
		t.Errorf("high: err %v, priority %v, policy %v", err, *p.Spec.Priority, *p.Spec.PreemptionPolicy)
	}
	p = simplePod("b")
	p.Spec.PriorityClassName = "polite"
	if _, err := (Priority{}).Admit(podRequest(s, "default", p)); err != nil || *p.Spec.PreemptionPolicy != corev1.PreemptNever {
		t.Errorf("polite: err %v", err)
	}
	p = simplePod("c")
	p.Spec.PriorityClassName = "missing"
	r := podRequest(s, "default", p)
	_, err := (Priority{}).Admit(r)
	// plugin/pkg/admission/priority/admission.go
	if want := `pods "c" is forbidden: no PriorityClass with name missing was found`; err == nil || apiserver.ForbiddenByAdmission(r, err).Error() != want {
		t.Errorf("missing class: %v", err)
	}
}

// DefaultTolerationSeconds adds the 300 s tolerations a pod lacks, and
// keeps the one it brings.
func TestDefaultTolerationSecondsAddsWhatThePodLacks(t *testing.T) {
	store := sim.NewStore(sim.New(nil))
	p := simplePod("web")
	ten := int64(10)
	p.Spec.Tolerations = []corev1.Toleration{{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &ten}}
	note, err := NewDefaultTolerationSeconds().Admit(podRequest(store, "default", p))
	if err != nil {
		t.Fatal(err)
	}
	if want := "tolerates node.kubernetes.io/not-ready:NoExecute for 300s"; note != want {
		t.Errorf("note %q, want %q", note, want)
	}
	if len(p.Spec.Tolerations) != 2 || *p.Spec.Tolerations[0].TolerationSeconds != 10 || p.Spec.Tolerations[1].Key != corev1.TaintNodeNotReady ||
		*p.Spec.Tolerations[1].TolerationSeconds != 300 || p.Spec.Tolerations[1].Operator != corev1.TolerationOpExists {
		t.Errorf("tolerations: %+v", p.Spec.Tolerations)
	}
}
