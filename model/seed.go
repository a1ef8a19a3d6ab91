package model

import (
	"fmt"
	"slices"

	"github.com/google/uuid"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podlife/podlife/diag"
	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/admission"
	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/controllers"
	"github.com/podlife/podlife/model/registry"
	"github.com/podlife/podlife/model/sim"
)

// Seed stores an object as part of the cluster's initial, settled state:
// what controllers would already have done is done. A Namespace gets its
// default ServiceAccount and phase Active; a Node gets a kubelet.
func (c *Cluster) Seed(obj sim.Object) error {
	gvk := registry.KindOf(obj)
	obj.GetObjectKind().SetGroupVersionKind(gvk)
	res, ok := apiserver.Discover(gvk)
	if !ok {
		return fmt.Errorf("%s %q: podlife cannot hold this kind of object", gvk.Kind, obj.GetName())
	}
	if res.Namespaced && obj.GetNamespace() == "" {
		obj.SetNamespace("default")
	}
	// Settled state was once created through the API server: it is
	// defaulted, has its system fields and addresses, and must pass the
	// kind's validation.
	registry.Default(obj)
	settled(obj)
	if svc, ok := obj.(*corev1.Service); ok {
		if err := c.API.AllocateClusterIP(svc); err != nil {
			return err
		}
	}
	if err := registry.Validate(registry.Request{GVK: gvk, Resource: res.Resource, Namespace: obj.GetNamespace()}, obj); err != nil {
		return err
	}
	switch o := obj.(type) {
	case *corev1.Node:
		return c.AddNode(o, nil)
	case *corev1.Namespace:
		o.Status.Phase = corev1.NamespaceActive
	case *corev1.PersistentVolume:
		o.Status.Phase = corev1.VolumeAvailable
		admission.AddFinalizer(o, admission.PVProtectionFinalizer)
	case *corev1.PersistentVolumeClaim:
		o.Status.Phase = corev1.ClaimPending
		admission.AddFinalizer(o, admission.PVCProtectionFinalizer)
		controllers.SeedClaim(c.Store, o)
	case *apiextensionsv1.CustomResourceDefinition:
		controllers.Established(o, c.API.MetaNow())
	}
	if pdb, ok := obj.(*policyv1.PodDisruptionBudget); ok {
		defer func() { // what the disruption controller would have written
			var pods []*corev1.Pod
			for _, o := range c.Store.List("Pod", pdb.Namespace) {
				pods = append(pods, o.(*corev1.Pod))
			}
			next := pdb.DeepCopy()
			next.Status, _ = controllers.BudgetStatus(c.Store, pdb, controllers.Selected(pdb, pods), c.API.MetaNow().Time)
			c.Store.Update(next)
		}()
	}
	if q, ok := obj.(*corev1.ResourceQuota); ok {
		defer func() { // counted once the objects before it are in
			next := q.DeepCopy()
			next.Status = controllers.Sync(c.Store, q)
			c.Store.Update(next)
		}()
	}
	if _, err := c.Store.Create(obj); err != nil {
		return err
	}
	if ns, isNS := obj.(*corev1.Namespace); isNS {
		// What the service account and root CA publisher controllers create
		// in every namespace.
		for _, o := range []sim.Object{controllers.DefaultServiceAccount(ns.Name), controllers.RootCA(ns.Name)} {
			if _, err := c.Store.Create(o); err != nil {
				return err
			}
		}
	}
	return nil
}

// SeedDocuments stores parsed manifests as the cluster's initial state (see
// Seed): Nodes join with the images their status lists, the default
// namespaces are not stored twice, a Faults document declares what fails
// (faults.go). Problems are collected with each
// document's position.
func (c *Cluster) SeedDocuments(docs []*manifest.Document) error {
	var errs diag.List
	var custom, faults []*manifest.Document
	fromFile := map[sim.Key]bool{}
	// The node IPAM controller starts configured, and takes the ranges
	// the nodes already hold before it hands out any.
	for _, d := range docs {
		if isControllerManagerConfig(d) {
			if err := c.seedControllerManagerConfig(d); err != nil {
				errs.Add(d.Pos(), "%v", err)
			}
		}
	}
	for _, d := range docs {
		if n, ok := d.Object.(*corev1.Node); ok {
			if err := c.occupyPodCIDR(n); err != nil {
				errs.Add(d.PosOf("spec.podCIDR"), "%v", err)
			}
		}
	}
	for _, d := range docs {
		switch o := d.Object.(type) {
		case nil:
			if isFaults(d) { // once every node is in
				faults = append(faults, d)
				continue
			}
			if isControllerManagerConfig(d) {
				continue
			}
			// once every CRD is in
			custom = append(custom, d)
		case *corev1.Node:
			var images []string
			for _, img := range o.Status.Images {
				images = append(images, img.Names...)
			}
			o.Status.Images = nil
			if err := c.AddNode(o, images); err != nil {
				errs.Add(d.Pos(), "%v", err)
			}
		case *corev1.Namespace:
			if old, ok := c.Store.Get(sim.Key{Kind: "Namespace", Name: o.Name}).(*corev1.Namespace); ok && slices.Contains(DefaultNamespaces, o.Name) {
				// A default namespace exists already: take its labels and
				// annotations (Pod Security levels, say).
				next := old.DeepCopy()
				next.Labels, next.Annotations = o.Labels, o.Annotations
				c.Store.Update(next)
				continue
			}
			if err := c.Seed(o); err != nil {
				errs.Add(d.Pos(), "%v", err)
			}
		default:
			c.giveWayToFile(o, fromFile)
			if err := c.Seed(o); err != nil {
				errs.Add(d.Pos(), "%v", err)
			}
		}
	}
	for _, d := range custom {
		if err := c.seedCustom(d); err != nil {
			errs.Add(d.Pos(), "%v", err)
		}
	}
	c.warnOfPodsOnMissingNodes(docs)
	c.adoptRunningPods(docs)
	for _, d := range faults {
		errs = append(errs, c.seedFaults(d)...)
	}
	return errs.Err()
}

// giveWayToFile removes what the cluster holds from its start (a
// bootstrap role, a controller's ServiceAccount) where the cluster file
// has its own version of it, as a snapshot of a real cluster does: the
// file says what the cluster holds. Twice in the files is still an error.
func (c *Cluster) giveWayToFile(obj sim.Object, fromFile map[sim.Key]bool) {
	gvk := registry.KindOf(obj)
	key := sim.Key{Kind: gvk.Kind, Namespace: obj.GetNamespace(), Name: obj.GetName()}
	if res, ok := apiserver.Discover(gvk); ok && res.Namespaced && key.Namespace == "" {
		key.Namespace = metav1.NamespaceDefault
	}
	if !fromFile[key] && c.Store.Get(key) != nil {
		c.Store.Delete(key)
	}
	fromFile[key] = true
}

// seededUIDs is the namespace of the UIDs settled objects get: each is
// derived from the object's key, so that seeding needs no counter and two
// clusters seeded alike hold the same UIDs.
var seededUIDs = uuid.MustParse("6c8d5a38-2f0e-4b8e-9a53-0d1f5e2b7c41")

// settled gives an object of the initial state the system fields the API
// server set when it was created, where it does not carry its own: a
// controller that owns it names its UID in the owner references of what it
// makes, which the API server refuses when empty.
func settled(obj sim.Object) {
	if obj.GetUID() == "" {
		obj.SetUID(types.UID(uuid.NewSHA1(seededUIDs, []byte(sim.KeyOf(obj).String())).String()))
	}
	if obj.GetCreationTimestamp().Time.IsZero() {
		obj.SetCreationTimestamp(metav1.NewTime(apiserver.Epoch))
	}
	if obj.GetGeneration() == 0 {
		obj.SetGeneration(1)
	}
}

// seedCustom stores a custom resource of the initial state, decoded,
// pruned, defaulted and validated by its CRD as a create would be.
func (c *Cluster) seedCustom(d *manifest.Document) error {
	res, ok := c.API.Discover(d.GVK)
	if !ok {
		return fmt.Errorf("%s %q: podlife does not know kind %s in %s: a custom resource needs its CustomResourceDefinition in the cluster file", d.GVK.Kind, d.Name, d.GVK.Kind, d.GVK.GroupVersion())
	}
	namespace := d.Namespace
	if res.Namespaced && namespace == "" {
		namespace = "default"
	}
	obj, err := c.API.CustomObject(res, namespace, d.Body)
	if err != nil {
		return err
	}
	settled(obj)
	_, err = c.Store.Create(obj)
	return err
}

// adoptRunningPods gives each kubelet the pods of the initial state that
// their status says run on its node, as it would know them after a long
// run: they keep their IPs and their place, and say nothing.
func (c *Cluster) adoptRunningPods(docs []*manifest.Document) {
	for _, d := range docs {
		p, ok := d.Object.(*corev1.Pod)
		if !ok || p.Spec.NodeName == "" {
			continue
		}
		if k, ok := c.kubelets[p.Spec.NodeName]; ok {
			if stored, ok := c.Store.Get(sim.KeyOf(p)).(*corev1.Pod); ok {
				k.Adopt(stored)
			}
		}
	}
}

// warnOfPodsOnMissingNodes says, once per pod, that a pod of the initial
// state is bound to a node the cluster file does not have (a snapshot
// taken while a node left, say): no kubelet runs it, and it stays as the
// file has it.
func (c *Cluster) warnOfPodsOnMissingNodes(docs []*manifest.Document) {
	for _, d := range docs {
		p, ok := d.Object.(*corev1.Pod)
		if !ok || p.Spec.NodeName == "" {
			continue
		}
		if _, known := c.kubelets[p.Spec.NodeName]; !known {
			ns := p.Namespace
			if ns == "" {
				ns = metav1.NamespaceDefault
			}
			c.Trace.Stepf("podlife", "warning", "pod/"+ns+"/"+p.Name,
				"warning: %s: the pod is bound to node %q, which the cluster file does not have: no kubelet runs it", d.Pos(), p.Spec.NodeName)
		}
	}
}
