// Package cluster runs scenarios on a real Kubernetes cluster through
// client-go: the second backend of package steps, next to the embedded
// model. It applies manifests as the scenario's users (by impersonation),
// watches Pods, Events, ReplicaSets, EndpointSlices and Nodes, and turns
// what it sees into the model's trace vocabulary: kubectl requests and
// responses with the server's code and message, Kubernetes Events with
// their reason and type, and object changes. Everything a scenario makes
// carries a per-run suffix and is removed when it ends (see names).
//
// Time here is the wall clock: a real cluster has no other. Nothing of
// this package runs inside the model.
package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/podlife/podlife/model/apiserver"
)

// Target is a cluster scenarios run on, shared by every scenario of a run.
type Target struct {
	config *rest.Config
	kube   kubernetes.Interface
	mapper meta.RESTMapper
	// Settle is how long Settle waits for the cluster to go quiet before
	// it gives up; Quiet is how long nothing may happen for it to count as
	// settled.
	Settle, Quiet time.Duration

	// factory holds the informers every scenario shares; stop never
	// closes: they run for the rest of the process.
	factory informers.SharedInformerFactory
	stop    chan struct{}
}

// Connect reads a kubeconfig (its current context) and checks that the
// cluster answers.
func Connect(kubeconfig string) (*Target, error) {
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %v", kubeconfig, err)
	}
	config.QPS, config.Burst = 200, 400
	kube, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %v", kubeconfig, err)
	}
	disc, err := discovery.NewDiscoveryClientForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %v", kubeconfig, err)
	}
	if _, err := disc.ServerVersion(); err != nil {
		return nil, fmt.Errorf("the cluster of kubeconfig %s does not answer: %v", kubeconfig, err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc))
	return &Target{config: config, kube: kube, mapper: mapper, Settle: 90 * time.Second, Quiet: 2 * time.Second,
		factory: informers.NewSharedInformerFactory(kube, 0), stop: make(chan struct{})}, nil
}

// Backend is one scenario on the cluster.
type Backend struct {
	target   *Target
	names    names
	scenario string
	start    time.Time
	ctx      context.Context
	cancel   context.CancelFunc

	users   map[string][]string
	clients map[string]*userClient

	watch *watcher

	// namespaces and clusterObjects are what Close removes.
	namespaces     []string
	clusterObjects []created
	// staleMapping is set once a CRD is created: kubectl's next
	// invocation discovers its resource, the current one does not.
	staleMapping bool
	// waiting counts the kubectl commands still running (drain, rollout
	// status): Settle waits for them.
	waiting atomic.Int32
}

type created struct {
	kind, name string
}

// userClient sends requests as one scenario user and keeps the warnings
// the last response carried.
type userClient struct {
	dyn      dynamic.Interface
	mu       sync.Mutex
	warnings []string
}

func (c *userClient) HandleWarningHeader(_ int, _ string, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.warnings = append(c.warnings, text)
}

func (c *userClient) takeWarnings() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.warnings
	c.warnings = nil
	return w
}

// NewScenario starts a scenario: its default namespace and the watches
// that fill its trace.
func (t *Target) NewScenario(scenario string) (*Backend, error) {
	var random [3]byte
	if _, err := rand.Read(random[:]); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &Backend{
		target: t, scenario: scenario, start: time.Now(), ctx: ctx, cancel: cancel,
		names:   names{suffix: "-pl" + hex.EncodeToString(random[:]), created: map[string]bool{}, webhooks: &webhookServers{}},
		users:   map[string][]string{},
		clients: map[string]*userClient{},
	}
	b.watch = newWatcher(b)
	if err := b.watch.start(); err != nil {
		b.watch.stop()
		cancel()
		return nil, err
	}
	if err := b.createNamespace("default"); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// Close removes what the scenario made: its namespaces (their pods at
// once, so that none lands on the next scenario's nodes) and its
// cluster-scoped objects, and waits until its pods and nodes are gone.
func (b *Backend) Close() error {
	defer b.names.webhooks.close()
	defer b.cancel()
	defer b.watch.stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	kube := b.target.kube
	var errs []error
	zero := int64(0)
	for _, ns := range b.namespaces {
		if err := kube.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, err)
		}
		if err := kube.CoreV1().Pods(ns).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &zero}, metav1.ListOptions{}); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	for _, o := range slices.Backward(b.clusterObjects) {
		res, _ := apiserver.ResourceFor(o.kind)
		m, ok := b.mapping(res.GVK)
		if !ok {
			continue
		}
		if err := b.dynamic().Resource(m.Resource).Delete(ctx, o.name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		for _, ns := range b.namespaces {
			pods, err := kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
			if err != nil || len(pods.Items) > 0 {
				return false, nil
			}
		}
		for _, o := range b.clusterObjects {
			switch o.kind {
			case "Node":
				if _, err := kube.CoreV1().Nodes().Get(ctx, o.name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
					return false, nil
				}
			case "CustomResourceDefinition": // the next scenario may define it again
				res, _ := apiserver.ResourceFor(o.kind)
				if m, ok := b.mapping(res.GVK); ok {
					if _, err := b.dynamic().Resource(m.Resource).Get(ctx, o.name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
						return false, nil
					}
				}
			}
		}
		return true, nil
	})
	if err != nil {
		errs = append(errs, fmt.Errorf("the scenario's pods, nodes and CRDs were not gone after a minute"))
	}
	if slices.ContainsFunc(b.clusterObjects, func(o created) bool { return strings.HasPrefix(o.kind, "ValidatingAdmissionPolicy") }) {
		// The API server drops a deleted policy at its next refresh, once a
		// second: the next scenario must not meet it.
		time.Sleep(2 * time.Second)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cleaning up after scenario %q: %v", b.scenario, err)
	}
	return nil
}

// dynamic is the admin's dynamic client.
func (b *Backend) dynamic() dynamic.Interface {
	c, _ := b.client(admin)
	return c.dyn
}
