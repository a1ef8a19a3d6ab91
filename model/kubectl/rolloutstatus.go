package kubectl

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"
	deploymentutil "k8s.io/kubernetes/pkg/controller/deployment/util"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// DeploymentStatus is the line kubectl rollout status prints for one
// state of a Deployment, and whether the rollout is done
// (k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go
// DeploymentStatusViewer).
func DeploymentStatus(d *appsv1.Deployment) (line string, done bool, err error) {
	if d.Generation > d.Status.ObservedGeneration {
		return "Waiting for deployment spec update to be observed...", false, nil
	}
	if c := deploymentutil.GetDeploymentCondition(d.Status, appsv1.DeploymentProgressing); c != nil && c.Reason == deploymentutil.TimedOutReason {
		return "", false, fmt.Errorf("deployment %q exceeded its progress deadline", d.Name)
	}
	s := d.Status
	switch {
	case d.Spec.Replicas != nil && s.UpdatedReplicas < *d.Spec.Replicas:
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d out of %d new replicas have been updated...", d.Name, s.UpdatedReplicas, *d.Spec.Replicas), false, nil
	case s.Replicas > s.UpdatedReplicas:
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d old replicas are pending termination...", d.Name, s.Replicas-s.UpdatedReplicas), false, nil
	case s.AvailableReplicas < s.UpdatedReplicas:
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d of %d updated replicas are available...", d.Name, s.AvailableReplicas, s.UpdatedReplicas), false, nil
	}
	return fmt.Sprintf("deployment %q successfully rolled out", d.Name), true, nil
}

// RolloutStatus runs `kubectl rollout status deployment NAME`: after its
// resource builder's GET, kubectl lists and watches the Deployment by name
// and prints a line for each state it is shown (the list's, then every
// change), until the rollout is done, the Deployment is deleted, or
// --timeout (when not 0) has passed since the GET: kubectl's watch context
// then ends with "timed out waiting for the condition"
// (k8s.io/kubectl/pkg/cmd/rollout/rollout_status.go, wait.ErrorInterrupted).
// The command runs on while the cluster does; its timer does not hold up
// a settling.
func (k *Kubectl) RolloutStatus(kind, namespace, name string, timeout sim.Duration, credential string) *Result {
	res, result, ok := k.target("rollout status", kind, namespace, name)
	if !ok {
		return result
	}
	namespace = result.namespace
	k.getThen(res, namespace, name, credential, result, func() {
		if !hasStatusViewer(result.got) {
			result.ClientError(fmt.Sprintf("no status viewer has been implemented for %s", res.GVK.GroupKind().Kind))
			k.Rec.Step(Component, "response", result.Object, result.Output)
			return
		}
		w := &statusWatch{k: k, result: result, namespace: namespace, name: name}
		if timeout > 0 {
			k.Engine.AfterBackground(timeout, "kubectl rollout status timeout", func() { w.fail("timed out waiting for the condition") })
		}
		list := &apiserver.Request{Verb: "list", Resource: res, Namespace: namespace, FieldSelector: "metadata.name=" + name, Credential: credential}
		k.Rec.Stepf(Component, "request", result.Object, "%s %s as %q", list.Method(), list.Path(), credential)
		client := &apiserver.Client{Server: k.API, Engine: k.Engine, Latency: k.Latency, Component: Component}
		client.Do(list, func(resp apiserver.Response) {
			if !resp.OK() {
				result.Refused(resp.Code, string(resp.Reason), resp.Message, "", false)
				k.Rec.Step(Component, "response", result.Object, result.Output)
				return
			}
			w.stop = k.Store.Watch(Component, res.GVK.Kind, k.Latency, w.changed)
			for _, item := range resp.Items {
				w.show(item)
			}
		})
	})
	return result
}

// statusWatch is one kubectl rollout status waiting on a workload.
type statusWatch struct {
	k               *Kubectl
	result          *Result
	namespace, name string
	lines           []string
	stop            func()
}

func (w *statusWatch) changed(ev sim.WatchEvent) {
	if w.result.Done || ev.Object.GetNamespace() != w.namespace || ev.Object.GetName() != w.name {
		return
	}
	if ev.Type == sim.Deleted {
		w.fail("object has been deleted")
		return
	}
	w.show(ev.Object)
}

func (w *statusWatch) show(obj runtime.Object) {
	if w.result.Done {
		return
	}
	line, done, err := StatusLine(obj)
	if err != nil {
		w.fail(err.Error())
		return
	}
	w.lines = append(w.lines, line)
	w.k.Rec.Step(Component, "print", w.result.Object, line)
	if done {
		w.end()
		w.result.Code, w.result.Allowed = 200, true
		w.result.Message = strings.Join(w.lines, "\n")
		w.result.Output = w.result.Message
	}
}

func (w *statusWatch) fail(msg string) {
	if w.result.Done {
		return
	}
	w.end()
	w.result.ClientError(msg)
	w.result.Output = strings.Join(append(w.lines, w.result.Output), "\n")
	w.k.Rec.Step(Component, "response", w.result.Object, "error: "+msg)
}

func (w *statusWatch) end() {
	w.result.Done = true
	if w.stop != nil {
		w.stop()
	}
}

// StatusLine is the line kubectl rollout status prints for one state of a
// Deployment, DaemonSet or StatefulSet, and whether the rollout is done
// (rollout_status.go's DeploymentStatusViewer, DaemonSetStatusViewer and
// StatefulSetStatusViewer; k8s.io/kubectl's polymorphichelpers would bring
// cli-runtime and kubectl's describers with it, for these few lines).
func StatusLine(obj runtime.Object) (line string, done bool, err error) {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return DeploymentStatus(o)
	case *appsv1.DaemonSet:
		return daemonSetStatus(o)
	case *appsv1.StatefulSet:
		return statefulSetStatus(o)
	}
	return "", false, fmt.Errorf("no status viewer has been implemented for %s", obj.GetObjectKind().GroupVersionKind().Kind)
}

// hasStatusViewer: kubectl rollout status knows the object's kind.
func hasStatusViewer(obj runtime.Object) bool {
	switch obj.(type) {
	case *appsv1.Deployment, *appsv1.DaemonSet, *appsv1.StatefulSet:
		return true
	}
	return false
}

func daemonSetStatus(ds *appsv1.DaemonSet) (string, bool, error) {
	if ds.Spec.UpdateStrategy.Type != appsv1.RollingUpdateDaemonSetStrategyType {
		// kubectl names the StatefulSet strategy constant here; both read "RollingUpdate".
		return "", true, fmt.Errorf("rollout status is only available for %s strategy type", appsv1.RollingUpdateStatefulSetStrategyType)
	}
	if ds.Generation > ds.Status.ObservedGeneration {
		return "Waiting for daemon set spec update to be observed...", false, nil
	}
	s := ds.Status
	switch {
	case s.UpdatedNumberScheduled < s.DesiredNumberScheduled:
		return fmt.Sprintf("Waiting for daemon set %q rollout to finish: %d out of %d new pods have been updated...", ds.Name, s.UpdatedNumberScheduled, s.DesiredNumberScheduled), false, nil
	case s.NumberAvailable < s.DesiredNumberScheduled:
		return fmt.Sprintf("Waiting for daemon set %q rollout to finish: %d of %d updated pods are available...", ds.Name, s.NumberAvailable, s.DesiredNumberScheduled), false, nil
	}
	return fmt.Sprintf("daemon set %q successfully rolled out", ds.Name), true, nil
}

func statefulSetStatus(sts *appsv1.StatefulSet) (string, bool, error) {
	if sts.Spec.UpdateStrategy.Type != appsv1.RollingUpdateStatefulSetStrategyType {
		return "", true, fmt.Errorf("rollout status is only available for %s strategy type", appsv1.RollingUpdateStatefulSetStrategyType)
	}
	s := sts.Status
	if s.ObservedGeneration == 0 || sts.Generation > s.ObservedGeneration {
		return "Waiting for statefulset spec update to be observed...", false, nil
	}
	if sts.Spec.Replicas != nil && s.ReadyReplicas < *sts.Spec.Replicas {
		return fmt.Sprintf("Waiting for %d pods to be ready...", *sts.Spec.Replicas-s.ReadyReplicas), false, nil
	}
	if ru := sts.Spec.UpdateStrategy.RollingUpdate; ru != nil {
		if sts.Spec.Replicas != nil && ru.Partition != nil && s.UpdatedReplicas < *sts.Spec.Replicas-*ru.Partition {
			return fmt.Sprintf("Waiting for partitioned roll out to finish: %d out of %d new pods have been updated...",
				s.UpdatedReplicas, *sts.Spec.Replicas-*ru.Partition), false, nil
		}
		return fmt.Sprintf("partitioned roll out complete: %d new pods have been updated...", s.UpdatedReplicas), true, nil
	}
	if s.UpdateRevision != s.CurrentRevision {
		return fmt.Sprintf("waiting for statefulset rolling update to complete %d pods at revision %s...", s.UpdatedReplicas, s.UpdateRevision), false, nil
	}
	return fmt.Sprintf("statefulset rolling update complete %d pods at revision %s...", s.CurrentReplicas, s.CurrentRevision), true, nil
}
