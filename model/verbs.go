package model

import (
	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/sim"
)

// Scale runs `kubectl scale` for one workload as user.
func (c *Cluster) Scale(kind, namespace, name string, replicas int, user string) *kubectl.Result {
	c.start()
	r := c.kubectl.Scale(kind, namespace, name, replicas, user)
	c.requests = append(c.requests, r)
	return r
}

// Cordon runs `kubectl cordon NODE`, or `kubectl uncordon NODE` when
// cordon is false, as user.
func (c *Cluster) Cordon(node string, cordon bool, user string) *kubectl.Result {
	c.start()
	r := c.kubectl.Cordon(node, cordon, user)
	c.requests = append(c.requests, r)
	return r
}

// RolloutRestart runs `kubectl rollout restart` for one workload as user.
func (c *Cluster) RolloutRestart(kind, namespace, name, user string) *kubectl.Result {
	c.start()
	r := c.kubectl.RolloutRestart(kind, namespace, name, user)
	c.requests = append(c.requests, r)
	return r
}

// Label runs `kubectl label` for one object as user.
func (c *Cluster) Label(kind, namespace, name string, specs []string, overwrite bool, user string) *kubectl.Result {
	c.start()
	r := c.kubectl.Label(kind, namespace, name, specs, overwrite, user)
	c.requests = append(c.requests, r)
	return r
}

// Taint runs `kubectl taint nodes NODE` with its taint arguments as user.
func (c *Cluster) Taint(node string, specs []string, overwrite bool, user string) *kubectl.Result {
	c.start()
	r := c.kubectl.Taint(node, specs, overwrite, user)
	c.requests = append(c.requests, r)
	return r
}

// SetImage runs `kubectl set image` for one object as user.
func (c *Cluster) SetImage(kind, namespace, name string, specs []string, user string) *kubectl.Result {
	c.start()
	r := c.kubectl.SetImage(kind, namespace, name, specs, user)
	c.requests = append(c.requests, r)
	return r
}

// RolloutPause runs `kubectl rollout pause` (resume, with pause false)
// for one workload as user.
func (c *Cluster) RolloutPause(kind, namespace, name string, pause bool, user string) *kubectl.Result {
	c.start()
	r := c.kubectl.RolloutPause(kind, namespace, name, pause, user)
	c.requests = append(c.requests, r)
	return r
}

// Annotate runs `kubectl annotate` for one object as user.
func (c *Cluster) Annotate(kind, namespace, name string, specs []string, overwrite bool, user string) *kubectl.Result {
	c.start()
	r := c.kubectl.Annotate(kind, namespace, name, specs, overwrite, user)
	c.requests = append(c.requests, r)
	return r
}

// RolloutStatus runs `kubectl rollout status` for one Deployment as
// user, giving up after timeout when it is not 0; the result fills in when
// the rollout is done.
func (c *Cluster) RolloutStatus(kind, namespace, name string, timeout sim.Duration, user string) *kubectl.Result {
	c.start()
	r := c.kubectl.RolloutStatus(kind, namespace, name, timeout, user)
	c.requests = append(c.requests, r)
	return r
}

// RolloutUndo runs `kubectl rollout undo` for one Deployment as user,
// back to toRevision (0: the previous one).
func (c *Cluster) RolloutUndo(kind, namespace, name string, toRevision int64, user string) *kubectl.Result {
	c.start()
	r := c.kubectl.RolloutUndo(kind, namespace, name, toRevision, user)
	c.requests = append(c.requests, r)
	return r
}

// DeleteFile runs `kubectl delete -f` of the documents as user; the
// result fills in once the objects are gone (unless --wait=false).
func (c *Cluster) DeleteFile(docs []*manifest.Document, user string, opts kubectl.DeleteOptions) *kubectl.Result {
	c.start()
	r := c.kubectl.DeleteFile(docs, user, opts)
	c.requests = append(c.requests, r)
	return r
}

// Drain runs `kubectl drain NODE` as user; the result fills in when the
// last of the node's pods is gone, or the drain fails.
func (c *Cluster) Drain(node string, opts kubectl.DrainOptions, user string) *kubectl.Result {
	c.start()
	r := c.kubectl.Drain(node, opts, user)
	c.requests = append(c.requests, r)
	return r
}
