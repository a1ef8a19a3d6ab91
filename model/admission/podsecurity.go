package admission

import (
	"fmt"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// PodSecurity is Pod Security Admission: the namespace's
// pod-security.kubernetes.io labels choose a level (privileged, baseline,
// restricted) per mode; enforce rejects, warn returns a warning to the
// client. The checks themselves are the upstream library's
// (k8s.io/pod-security-admission/policy), so reasons and details are the
// real ones; the messages follow its admission.go.
type PodSecurity struct {
	evaluator policy.Evaluator
}

// defaultEvaluator is built once: the check registry is read-only after
// construction, and building it costs more than a whole one-pod scenario.
var defaultEvaluator = sync.OnceValue(func() policy.Evaluator {
	e, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		panic(fmt.Sprintf("pod security checks: %v", err)) // the library's own checks are valid
	}
	return e
})

// NewPodSecurity returns the plugin with the default checks.
func NewPodSecurity() *PodSecurity { return &PodSecurity{evaluator: defaultEvaluator()} }

// Name implements apiserver.AdmissionPlugin.
func (*PodSecurity) Name() string { return "PodSecurity" }

// Handles implements apiserver.AdmissionPlugin: pods, and the pod
// templates of the workload kinds (the library's DefaultPodSpecExtractor).
func (*PodSecurity) Handles(r *apiserver.AdmissionRequest) bool {
	return pod(r) != nil || podTemplate(r) != nil
}

// podTemplate is the pod template of a workload being created.
func podTemplate(r *apiserver.AdmissionRequest) *corev1.PodTemplateSpec {
	if r.Operation != "CREATE" {
		return nil
	}
	switch o := r.Object.(type) {
	case *corev1.ReplicationController:
		return o.Spec.Template
	case *corev1.PodTemplate:
		return &o.Template
	case *appsv1.ReplicaSet:
		return &o.Spec.Template
	case *appsv1.Deployment:
		return &o.Spec.Template
	case *appsv1.StatefulSet:
		return &o.Spec.Template
	case *appsv1.DaemonSet:
		return &o.Spec.Template
	case *batchv1.Job:
		return &o.Spec.Template
	case *batchv1.CronJob:
		return &o.Spec.JobTemplate.Spec.Template
	}
	return nil
}

// privileged is kube-apiserver's default PodSecurity configuration: every
// mode at privileged:latest.
var privileged = psaapi.Policy{
	Enforce: psaapi.LevelVersion{Level: psaapi.LevelPrivileged, Version: psaapi.LatestVersion()},
	Audit:   psaapi.LevelVersion{Level: psaapi.LevelPrivileged, Version: psaapi.LatestVersion()},
	Warn:    psaapi.LevelVersion{Level: psaapi.LevelPrivileged, Version: psaapi.LatestVersion()},
}

// Validate implements apiserver.Validator.
func (s *PodSecurity) Validate(r *apiserver.AdmissionRequest) (string, error) {
	var labels map[string]string
	if ns, ok := r.Store.Get(sim.Key{Kind: "Namespace", Name: r.Namespace}).(*corev1.Namespace); ok {
		labels = ns.Labels
	}
	// Unparseable labels fall back to restricted:latest for enforce, as the
	// library decides.
	pol, _ := psaapi.PolicyToEvaluate(labels, privileged)
	p := pod(r)
	if p == nil {
		// A workload's template is only warned and audited about; its pods
		// meet enforce when they are created (admission.go
		// ValidatePodController).
		t := podTemplate(r)
		p = &corev1.Pod{ObjectMeta: t.ObjectMeta, Spec: t.Spec}
		note := "pod template"
		if warn := policy.AggregateCheckResults(s.evaluator.EvaluatePod(pol.Warn, &p.ObjectMeta, &p.Spec)); !warn.Allowed {
			msg := fmt.Sprintf("would violate PodSecurity %q: %s", pol.Warn.String(), warn.ForbiddenDetail())
			r.Warnings = append(r.Warnings, msg)
			note += "; warning: " + msg
		} else {
			note += " allowed by warn=" + pol.Warn.String()
		}
		return note, nil
	}
	enforce := policy.AggregateCheckResults(s.evaluator.EvaluatePod(pol.Enforce, &p.ObjectMeta, &p.Spec))
	if !enforce.Allowed {
		return "", fmt.Errorf("violates PodSecurity %q: %s", pol.Enforce.String(), enforce.ForbiddenDetail())
	}
	note := fmt.Sprintf("allowed by enforce=%s", pol.Enforce.String())
	if warn := policy.AggregateCheckResults(s.evaluator.EvaluatePod(pol.Warn, &p.ObjectMeta, &p.Spec)); !warn.Allowed {
		msg := fmt.Sprintf("would violate PodSecurity %q: %s", pol.Warn.String(), warn.ForbiddenDetail())
		r.Warnings = append(r.Warnings, msg)
		note += "; warning: " + msg
	}
	if audit := policy.AggregateCheckResults(s.evaluator.EvaluatePod(pol.Audit, &p.ObjectMeta, &p.Spec)); !audit.Allowed {
		note += fmt.Sprintf("; audit annotation pod-security.kubernetes.io/audit-violations: would violate PodSecurity %q: %s", pol.Audit.String(), audit.ForbiddenDetail())
	}
	return note, nil
}

var _ apiserver.Validator = (*PodSecurity)(nil)
