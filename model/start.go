package model

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/controllers"
	"github.com/podlife/podlife/model/dataplane"
	"github.com/podlife/podlife/model/scheduler"
	"github.com/podlife/podlife/model/sim"
)

// How the components come up: each lists the seeded state, then watches
// the kinds it reads, as their informers do.

// start brings the components up over the seeded state: each lists what
// the store holds (nodes in the order they were added) and then watches, so
// the initial state costs no virtual time and leaves no trace.
func (c *Cluster) start() {
	if c.started {
		return
	}
	c.started = true
	for _, name := range c.nodes {
		c.scheduler.OnNode(sim.WatchEvent{Type: sim.Added, Object: c.Store.Get(sim.Key{Kind: "Node", Name: name})})
	}
	for _, pod := range c.Store.List("Pod", "") {
		ev := sim.WatchEvent{Type: sim.Added, Object: pod}
		c.scheduler.OnPod(ev)
		c.routeToKubelet(ev)
	}
	// The claims of the initial state carry the Unused condition the
	// pvc-protection controller would have written.
	for _, obj := range c.Store.List("PersistentVolumeClaim", "") {
		controllers.SettleUnused(c.Store, obj.(*corev1.PersistentVolumeClaim), c.API.MetaNow())
	}
	for _, obj := range c.Store.List("Deployment", "") {
		c.dc.OnDeployment(sim.WatchEvent{Type: sim.Added, Object: obj})
	}
	for _, obj := range c.Store.List("ReplicaSet", "") {
		c.rsc.OnReplicaSet(sim.WatchEvent{Type: sim.Added, Object: obj})
	}
	for _, obj := range c.Store.List("ReplicationController", "") {
		c.rcm.OnReplicaSet(sim.WatchEvent{Type: sim.Added, Object: obj})
	}
	for _, obj := range c.Store.List("Job", "") {
		c.jobs.OnJob(sim.WatchEvent{Type: sim.Added, Object: obj})
		c.jobTTL.OnJob(sim.WatchEvent{Type: sim.Added, Object: obj})
	}
	for _, obj := range c.Store.List("DaemonSet", "") {
		c.daemons.OnDaemonSet(sim.WatchEvent{Type: sim.Added, Object: obj})
	}
	for _, obj := range c.Store.List("StatefulSet", "") {
		c.sets.OnStatefulSet(sim.WatchEvent{Type: sim.Added, Object: obj})
	}
	for _, obj := range c.Store.List("CronJob", "") {
		c.cronJobs.OnCronJob(sim.WatchEvent{Type: sim.Added, Object: obj})
	}
	// The endpoint consumers and the EndpointSlice controller list the
	// seeded Services and slices the same way; the ingress controller
	// lists them with its Ingresses and classes, and serves from the start.
	for _, kind := range []string{"IngressClass", "Ingress", "Service", "EndpointSlice"} {
		for _, obj := range c.Store.List(kind, "") {
			c.ingress.Seed(obj)
		}
	}
	c.ingress.Start()
	for _, kind := range []string{"Service", "EndpointSlice"} {
		for _, obj := range c.Store.List(kind, "") {
			ev := sim.WatchEvent{Type: sim.Added, Object: obj}
			if kind == "Service" {
				c.eachProxy((*dataplane.Consumer).OnService)(ev)
				c.coreDNS.OnService(ev)
				c.slices.OnService(ev)
				c.endpoints.OnService(ev)
			} else {
				c.eachProxy((*dataplane.Consumer).OnEndpointSlice)(ev)
				c.coreDNS.OnEndpointSlice(ev)
			}
		}
	}
	lat := c.Latency
	c.Store.Watch(scheduler.Component, "Node", lat.Watch, c.scheduler.OnNode)
	c.Store.Watch(scheduler.Component, "Pod", lat.Watch, c.scheduler.OnPod)
	c.Store.Watch("kubelet", "Pod", lat.Watch, c.routeToKubelet)
	// kube-controller-manager's controllers share one informer per kind,
	// so one watch feeds them all, in a fixed order.
	const kcm = "kube-controller-manager"
	fanOut := func(handlers ...func(sim.WatchEvent)) func(sim.WatchEvent) {
		return func(ev sim.WatchEvent) {
			for _, h := range handlers {
				h(ev)
			}
		}
	}
	c.Store.Watch(kcm, "Pod", lat.Watch, fanOut(c.dc.OnPod, c.rsc.OnPod, c.rcm.OnPod, c.slices.OnPod, c.endpoints.OnPod, c.quota.OnPod, c.disruption.OnPod, c.taints.OnPod, c.gc.OnPod, c.hpa.OnPod, c.attach.OnPod, c.jobs.OnPod, c.daemons.OnPod, c.sets.OnPod, c.pvcProtection.OnPod))
	c.Store.Watch(kcm, "Node", lat.Watch, fanOut(c.taints.OnNode, c.podGC.OnNode, c.daemons.OnNode, c.releasePodCIDR))
	if c.nodeCIDRs != nil {
		for _, name := range c.nodeCIDRs.waiting {
			c.retryPodCIDR(name)
		}
	}
	c.Store.Watch(kcm, "DaemonSet", lat.Watch, fanOut(c.daemons.OnDaemonSet, c.gc.OnOwner))
	c.Store.Watch(kcm, "StatefulSet", lat.Watch, fanOut(c.sets.OnStatefulSet, c.gc.OnOwner))
	c.Store.Watch(kcm, "PodDisruptionBudget", lat.Watch, c.disruption.OnBudget)
	c.Store.Watch(kcm, "HorizontalPodAutoscaler", lat.Watch, c.hpa.OnHPA)
	c.Store.Watch(kcm, "Namespace", lat.Watch, c.namespaces.OnNamespace)
	c.Store.Watch(apiserver.Component, "CustomResourceDefinition", lat.Watch, c.crds.OnCRD)
	c.Store.Watch(kcm, "ReplicaSet", lat.Watch, fanOut(c.dc.OnReplicaSet, c.rsc.OnReplicaSet, c.gc.OnOwner))
	c.Store.Watch(kcm, "ReplicationController", lat.Watch, fanOut(c.rcm.OnReplicaSet, c.gc.OnOwner))
	c.Store.Watch(kcm, "Deployment", lat.Watch, fanOut(c.dc.OnDeployment, c.gc.OnOwner))
	c.Store.Watch(kcm, "Job", lat.Watch, fanOut(c.jobs.OnJob, c.jobTTL.OnJob, c.cronJobs.OnJob, c.gc.OnOwner))
	c.Store.Watch(kcm, "CronJob", lat.Watch, fanOut(c.cronJobs.OnCronJob, c.gc.OnOwner))
	c.Store.Watch(kcm, "Service", lat.Watch, fanOut(c.slices.OnService, c.endpoints.OnService))
	c.Store.Watch(kcm, "ResourceQuota", lat.Watch, c.quota.OnQuota)
	c.policyStatus = &controllers.AdmissionPolicyStatus{Store: c.Store, Engine: c.Engine, Rec: c.Trace, API: c.controllerClient(controllers.AdmissionPolicyStatusComponent)}
	c.Store.Watch(kcm, "ValidatingAdmissionPolicy", lat.Watch, c.policyStatus.OnPolicy)
	c.Store.Watch(kcm, "PersistentVolume", lat.Watch, fanOut(c.volumes.OnVolume, c.pvProtection.OnVolume))
	c.Store.Watch(kcm, "PersistentVolumeClaim", lat.Watch, fanOut(c.volumes.OnClaim, c.pvcProtection.OnClaim))
	c.Store.Watch(controllers.ProvisionerAccount, "PersistentVolumeClaim", lat.Watch, c.provision.OnClaim)
	for _, kind := range []string{"PersistentVolumeClaim", "PersistentVolume", "StorageClass"} {
		c.Store.Watch(scheduler.Component, kind, lat.Watch, c.scheduler.OnStorage)
	}
	for _, consumer := range []struct {
		name      string
		onSlice   func(sim.WatchEvent)
		onService func(sim.WatchEvent)
	}{
		{kubeProxyID, c.eachProxy((*dataplane.Consumer).OnEndpointSlice), c.eachProxy((*dataplane.Consumer).OnService)},
		{coreDNSID, c.coreDNS.OnEndpointSlice, c.coreDNS.OnService},
		{ingressID, c.ingress.OnEndpointSlice, c.ingress.OnService},
	} {
		c.Store.Watch(consumer.name, "Service", lat.Watch, consumer.onService)
		c.Store.Watch(consumer.name, "EndpointSlice", lat.Watch, consumer.onSlice)
	}
	c.Store.Watch(ingressID, "Ingress", lat.Watch, c.ingress.OnIngress)
	c.Store.Watch(ingressID, "IngressClass", lat.Watch, c.ingress.OnIngressClass)
}

// eachProxy hands a watch event to every node's kube-proxy, in the order
// the nodes joined: one watcher stands for them all.
func (c *Cluster) eachProxy(handle func(*dataplane.Consumer, sim.WatchEvent)) func(sim.WatchEvent) {
	return func(ev sim.WatchEvent) {
		for _, name := range c.nodes {
			handle(c.proxies[name], ev)
		}
	}
}

func (c *Cluster) routeToKubelet(ev sim.WatchEvent) {
	pod := ev.Object.(*corev1.Pod)
	if pod.Spec.NodeName == "" {
		return
	}
	if k, ok := c.kubelets[pod.Spec.NodeName]; ok {
		k.OnPod(ev)
	}
}
