package controllers

import (
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	deploymentutil "k8s.io/kubernetes/pkg/controller/deployment/util"

	"github.com/podlife/podlife/model/sim"
)

// A Deployment's conditions, as pkg/controller/deployment/sync.go
// (calculateStatus, syncRolloutStatus), progress.go
// (requeueStuckDeployment) and deployment_controller.go
// (checkPausedConditions) keep them, with Kubernetes' own condition
// helpers (deployment/util) and the model's clock where upstream reads
// the wall clock:
//
//   - Available: whether enough pods are available (replicas less
//     maxUnavailable);
//   - Progressing: the rollout's progress, stamped each time it moves;
//     False with ProgressDeadlineExceeded once it has not moved for
//     progressDeadlineSeconds (600 by default), which `kubectl rollout
//     status` reports as an error.

// condition is deploymentutil.NewDeploymentCondition stamped now.
func (c *Deployment) condition(typ appsv1.DeploymentConditionType, status corev1.ConditionStatus, reason, message string) appsv1.DeploymentCondition {
	cond := deploymentutil.NewDeploymentCondition(typ, status, reason, message)
	now := c.API.Server.MetaNow()
	cond.LastUpdateTime, cond.LastTransitionTime = now, now
	return *cond
}

// newStatus is the status the controller writes: the counts, Available,
// and Progressing. created says the controller has just created newRS
// (getNewReplicaSet's NewReplicaSetCreated).
func (c *Deployment) newStatus(d *appsv1.Deployment, newRS *appsv1.ReplicaSet, all []*appsv1.ReplicaSet, created bool) appsv1.DeploymentStatus {
	status := appsv1.DeploymentStatus{
		ObservedGeneration:  d.Generation,
		Replicas:            deploymentutil.GetActualReplicaCountForReplicaSets(all),
		ReadyReplicas:       deploymentutil.GetReadyReplicaCountForReplicaSets(all),
		AvailableReplicas:   deploymentutil.GetAvailableReplicaCountForReplicaSets(all),
		UnavailableReplicas: max(0, deploymentutil.GetReplicaCountForReplicaSets(all)-deploymentutil.GetAvailableReplicaCountForReplicaSets(all)),
		CollisionCount:      d.Status.CollisionCount,
	}
	if newRS != nil {
		status.UpdatedReplicas = deploymentutil.GetActualReplicaCountForReplicaSets([]*appsv1.ReplicaSet{newRS})
	}
	status.Conditions = append(status.Conditions, d.Status.Conditions...)
	if status.AvailableReplicas >= ptrOr(d.Spec.Replicas, 1)-deploymentutil.MaxUnavailable(*d) {
		deploymentutil.SetDeploymentCondition(&status, c.condition(appsv1.DeploymentAvailable, corev1.ConditionTrue,
			deploymentutil.MinimumReplicasAvailable, "Deployment has minimum availability."))
	} else {
		deploymentutil.SetDeploymentCondition(&status, c.condition(appsv1.DeploymentAvailable, corev1.ConditionFalse,
			deploymentutil.MinimumReplicasUnavailable, "Deployment does not have minimum availability."))
	}
	if !deploymentutil.HasProgressDeadline(d) {
		deploymentutil.RemoveDeploymentCondition(&status, appsv1.DeploymentProgressing)
		return status
	}
	if newRS != nil {
		switch current := deploymentutil.GetDeploymentCondition(status, appsv1.DeploymentProgressing); {
		case created:
			deploymentutil.SetDeploymentCondition(&status, c.condition(appsv1.DeploymentProgressing, corev1.ConditionTrue,
				deploymentutil.NewReplicaSetReason, fmt.Sprintf("Created new replica set %q", newRS.Name)))
		case current == nil:
			deploymentutil.SetDeploymentCondition(&status, c.condition(appsv1.DeploymentProgressing, corev1.ConditionTrue,
				deploymentutil.FoundNewRSReason, fmt.Sprintf("Found new replica set %q", newRS.Name)))
		}
	}
	current := deploymentutil.GetDeploymentCondition(d.Status, appsv1.DeploymentProgressing)
	complete := status.Replicas == status.UpdatedReplicas && current != nil && current.Reason == deploymentutil.NewRSAvailableReason
	if complete && !created {
		return status
	}
	subject := fmt.Sprintf("Deployment %q", d.Name)
	if newRS != nil {
		subject = fmt.Sprintf("ReplicaSet %q", newRS.Name)
	}
	switch {
	case deploymentutil.DeploymentComplete(d, &status):
		deploymentutil.SetDeploymentCondition(&status, c.condition(appsv1.DeploymentProgressing, corev1.ConditionTrue,
			deploymentutil.NewRSAvailableReason, subject+" has successfully progressed."))
	case deploymentutil.DeploymentProgressing(d, &status):
		// Progress moves lastUpdateTime even when the reason stays.
		cond := c.condition(appsv1.DeploymentProgressing, corev1.ConditionTrue, deploymentutil.ReplicaSetUpdatedReason, subject+" is progressing.")
		if now := deploymentutil.GetDeploymentCondition(status, appsv1.DeploymentProgressing); now != nil {
			if now.Status == corev1.ConditionTrue {
				cond.LastTransitionTime = now.LastTransitionTime
			}
			deploymentutil.RemoveDeploymentCondition(&status, appsv1.DeploymentProgressing)
		}
		deploymentutil.SetDeploymentCondition(&status, cond)
	case c.timedOut(d, &status):
		deploymentutil.SetDeploymentCondition(&status, c.condition(appsv1.DeploymentProgressing, corev1.ConditionFalse,
			deploymentutil.TimedOutReason, subject+" has timed out progressing."))
	}
	return status
}

// timedOut is deploymentutil.DeploymentTimedOut on the model's clock.
func (c *Deployment) timedOut(d *appsv1.Deployment, status *appsv1.DeploymentStatus) bool {
	cond := deploymentutil.GetDeploymentCondition(*status, appsv1.DeploymentProgressing)
	switch {
	case cond == nil || cond.Reason == deploymentutil.NewRSAvailableReason:
		return false
	case cond.Reason == deploymentutil.TimedOutReason:
		return true
	}
	deadline := cond.LastUpdateTime.Add(time.Duration(*d.Spec.ProgressDeadlineSeconds) * time.Second)
	return deadline.Before(c.API.Server.MetaNow().Time)
}

// requeueStuck is requeueStuckDeployment: a rollout that has not
// finished is looked at again when its progress deadline passes (a second
// after, against clock skew), whether or not anything else happens.
func (c *Deployment) requeueStuck(d *appsv1.Deployment, status appsv1.DeploymentStatus) {
	cond := deploymentutil.GetDeploymentCondition(status, appsv1.DeploymentProgressing)
	if !deploymentutil.HasProgressDeadline(d) || cond == nil || deploymentutil.DeploymentComplete(d, &status) || cond.Reason == deploymentutil.TimedOutReason {
		return
	}
	after := cond.LastUpdateTime.Add(time.Duration(*d.Spec.ProgressDeadlineSeconds) * time.Second).Sub(c.API.Server.MetaNow().Time)
	if after < time.Second {
		// Upstream requeues at once, rate-limited; the model looks just
		// past the deadline, where the check can come out one way only.
		after = max(after, 0) + time.Millisecond
	} else {
		after += time.Second
	}
	key := sim.KeyOf(d)
	if at := c.Engine.Now().Add(sim.Duration(after / time.Millisecond)); c.progressCheck[key] != at {
		if c.progressCheck == nil {
			c.progressCheck = map[sim.Key]sim.Time{}
		}
		c.progressCheck[key] = at
		c.Engine.AfterBackground(sim.Duration(after/time.Millisecond), "deployment progress check", func() {
			if c.progressCheck[key] == at {
				delete(c.progressCheck, key)
				c.enqueue(key)
			}
		})
	}
}

// pausedConditions is checkPausedConditions: a paused rollout's
// Progressing condition says so, and a resumed one says that, unless the
// rollout has already timed out. It reports whether it wrote the status.
func (c *Deployment) pausedConditions(d *appsv1.Deployment) bool {
	if !deploymentutil.HasProgressDeadline(d) {
		return false
	}
	cond := deploymentutil.GetDeploymentCondition(d.Status, appsv1.DeploymentProgressing)
	if cond != nil && cond.Reason == deploymentutil.TimedOutReason {
		return false
	}
	paused := cond != nil && cond.Reason == deploymentutil.PausedDeployReason
	status := *d.Status.DeepCopy()
	switch {
	case d.Spec.Paused && !paused:
		deploymentutil.SetDeploymentCondition(&status, c.condition(appsv1.DeploymentProgressing, corev1.ConditionUnknown,
			deploymentutil.PausedDeployReason, "Deployment is paused"))
	case !d.Spec.Paused && paused:
		deploymentutil.SetDeploymentCondition(&status, c.condition(appsv1.DeploymentProgressing, corev1.ConditionUnknown,
			deploymentutil.ResumedDeployReason, "Deployment is resumed"))
	default:
		return false
	}
	c.writeStatus(d, status, "")
	return true
}
