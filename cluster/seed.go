// Setting the scenario's cluster up: its nodes, and the objects it
// already has, waited for until the control plane has acted on them.

package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/podlife/podlife/diag"
	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model"
)

// AddNode registers a node for kwok (or whatever plays kubelets there) to
// run pods on; the images of the model's node cache mean nothing here.
func (b *Backend) AddNode(node *corev1.Node, _ []string) error {
	model.CompleteNode(node)
	b.names.rename(node, corev1.SchemeGroupVersion.WithKind("Node"), false)
	if _, err := b.target.kube.CoreV1().Nodes().Create(b.ctx, node, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("node %s: %s", b.names.back(node.Name), b.names.back(err.Error()))
	}
	b.clusterObjects = append(b.clusterObjects, created{kind: "Node", name: node.Name})
	b.watch.touch()
	return b.waitUntilReady(node.Name)
}

// waitUntilReady waits until the node lifecycle controller has lifted the
// not-ready taint that the TaintNodesByCondition admission plugin puts on
// every new Node: the scenario declared a ready node, and until then the
// scheduler turns pods away from it (`node(s) had untolerated taint(s)`),
// where the model's nodes are ready at once.
func (b *Backend) waitUntilReady(name string) error {
	err := wait.PollUntilContextTimeout(b.ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		node, err := b.target.kube.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		for _, t := range node.Spec.Taints {
			if t.Key == corev1.TaintNodeNotReady {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("node %s still has the %s taint after 30s: is kube-controller-manager running, and something (kwok, a kubelet) keeping the node Ready?", b.names.back(name), corev1.TaintNodeNotReady)
	}
	return nil
}

// SeedDocuments creates objects as the admin, waits until the cluster has
// settled on them (a quota counted, a budget computed), and forgets the
// trace of it all: the scenario starts from there.
func (b *Backend) SeedDocuments(docs []*manifest.Document) error {
	var errs diag.List
	for _, d := range docs {
		switch o := d.Object.(type) {
		case *corev1.Node:
			o.Status.Images = nil
			if err := b.AddNode(o, nil); err != nil {
				errs.Add(d.Pos(), "%v", err)
			}
			continue
		case *corev1.Namespace:
			if o.Name == "default" { // exists already: take its labels
				patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"labels": o.Labels, "annotations": o.Annotations}})
				if _, err := b.target.kube.CoreV1().Namespaces().Patch(b.ctx, b.names.namespace("default"), types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
					errs.Add(d.Pos(), "%s", b.names.back(err.Error()))
				}
				continue
			}
		}
		if r := b.create(d, admin, false); !r.Allowed {
			errs.Add(d.Pos(), "%s %q: %s", d.GVK.Kind, d.Name, r.Message)
		}
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if err := b.waitForQuotas(); err != nil {
		return err
	}
	if err := b.Settle(); err != nil {
		return err
	}
	b.watch.forget()
	return nil
}

// createNamespace makes one of the scenario's namespaces.
func (b *Backend) createNamespace(name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: b.names.namespace(name)}}
	if _, err := b.target.kube.CoreV1().Namespaces().Create(b.ctx, ns, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating namespace %s: %v", ns.Name, err)
	}
	b.namespaces = append(b.namespaces, ns.Name)
	return b.waitForServiceAccount(ns.Name)
}

// waitForServiceAccount waits for the service account controller: until
// it has made a namespace's default service account, the API server
// refuses pods there, where the model's namespaces start with one.
func (b *Backend) waitForServiceAccount(namespace string) error {
	err := wait.PollUntilContextTimeout(b.ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := b.target.kube.CoreV1().ServiceAccounts(namespace).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		return fmt.Errorf("namespace %s has no default service account after 30s: is kube-controller-manager running?", b.names.back(namespace))
	}
	return nil
}

// waitForQuotas waits until the quota controller has counted every quota
// of the scenario: the model seeds them counted.
func (b *Backend) waitForQuotas() error {
	err := wait.PollUntilContextTimeout(b.ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		for _, ns := range b.namespaces {
			quotas, err := b.target.kube.CoreV1().ResourceQuotas(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				return false, nil
			}
			for _, q := range quotas.Items {
				if len(q.Status.Hard) == 0 {
					return false, nil
				}
			}
		}
		return true, nil
	})
	if err != nil {
		return errors.New("a ResourceQuota was not counted after 30s: is kube-controller-manager running?")
	}
	return nil
}
