// Package model wires podlife's components into one deterministic cluster:
// kubectl, kube-apiserver with etcd, kube-scheduler and a kubelet per node,
// all driven by one sim.Engine. Steps and the CLI use only this API: they
// add nodes and users, submit manifests, let time pass, and read the trace
// and the objects.
package model

import (
	"fmt"
	"slices"
	"sync"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/admission"
	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/auth"
	"github.com/podlife/podlife/model/controllers"
	"github.com/podlife/podlife/model/dataplane"
	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/kubelet"
	"github.com/podlife/podlife/model/scheduler"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// Options configure a cluster.
type Options struct {
	Chooser   sim.Chooser // nil: FIFO
	Latencies *Latencies  // nil: DefaultLatencies
	// When Chooser is a sim.Pruner, the engine fingerprints the states the
	// run goes through. OrderedTrace says the explorer's check reads the
	// trace, so that the order events were recorded in is part of the
	// state: tasks that both record are then ordered against each other.
	OrderedTrace bool
	// Untraced records no trace (an explored run whose invariant does
	// not read it).
	Untraced bool
	// EventsOnly records the Kubernetes Events alone, not the hand-offs:
	// what `podlife apply -o summary` reads of a large cluster.
	EventsOnly bool
}

// Cluster is one simulated cluster.
type Cluster struct {
	Engine  *sim.Engine
	Store   *sim.Store
	Trace   *trace.Recorder
	API     *apiserver.Server
	Latency Latencies
	Images  *Registry
	// WebhookServers say what the servers behind admission webhooks
	// answer; an undeclared one allows every request.
	WebhookServers admission.WebhookServers

	kubectl    *kubectl.Kubectl
	scheduler  *scheduler.Scheduler
	kubelets   map[string]*kubelet.Kubelet
	started    bool
	nodes      []string
	nodeCIDRs  *nodeIPAM // nil until configured or a node joins
	namespaces *controllers.NamespaceDefaults
	crds       *controllers.CustomResourceDefinitions
	// noted are the unmodelled kinds the trace has warned about.
	noted    sets.Set[schema.GroupKind]
	requests []*kubectl.Result
	quota    *controllers.ResourceQuota
	volumes  *controllers.PersistentVolume
	attach   *controllers.AttachDetach
	policies *admission.ValidatingAdmissionPolicy
	jobs     *controllers.Job
	jobTTL   *controllers.TTLAfterFinished
	cronJobs *controllers.CronJob
	// policyStatus type-checks ValidatingAdmissionPolicies.
	policyStatus *controllers.AdmissionPolicyStatus
	// rcm is the ReplicationController manager.
	rcm        *controllers.ReplicaSet
	daemons    *controllers.DaemonSet
	provision  *controllers.ExternalProvisioner
	sets       *controllers.StatefulSet
	disruption *controllers.Disruption
	hpa        *controllers.HorizontalPodAutoscaler
	meter      *meter
	lifecycle  *controllers.NodeLifecycle
	taints     *controllers.TaintEviction
	podGC      *controllers.PodGC
	slices     *controllers.EndpointSlice
	endpoints  *controllers.Endpoints // the legacy v1 Endpoints
	// ipamClient is the node IPAM controller's, under node-controller.
	ipamClient *apiserver.Client
	// pvcProtection and pvProtection hold claims and volumes in use.
	pvcProtection *controllers.PVCProtection
	pvProtection  *controllers.PVProtection
	rsc           *controllers.ReplicaSet
	dc            *controllers.Deployment
	gc            *controllers.GarbageCollector
	proxies       map[string]*dataplane.Consumer // kube-proxy by node
	coreDNS       *dataplane.Consumer
	ingress       *dataplane.Ingress
	traffic       []dataplane.Result
	loads         []*dataplane.Load
	uids          int
}

// DefaultNamespaces exist in every cluster.
var DefaultNamespaces = []string{"default", "kube-node-lease", "kube-public", "kube-system"}

// New returns a cluster with the default namespaces, the admin user (in
// system:masters) and no nodes.
func New(opts Options) *Cluster { return assemble(opts, bootstrapContents()) }

// bootstrapContents is what every new cluster's store starts with: the
// default namespaces (each with its default service account and root CA
// config map), the bootstrap ClusterRoles and bindings, the controllers'
// service accounts. It is the same for every cluster and its objects are
// immutable, so it is built once; an explored scenario builds a cluster per
// run, and seeding these was a fifth of a run.
var bootstrapContents = sync.OnceValue(func() *sim.Contents {
	c := assemble(Options{}, nil)
	c.seedBootstrap()
	return c.Store.Contents()
})

func (c *Cluster) seedBootstrap() {
	for _, ns := range DefaultNamespaces {
		c.Seed(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	}
	for _, r := range auth.BootstrapClusterRoles() {
		r.Kind, r.APIVersion = "ClusterRole", rbacv1.SchemeGroupVersion.String()
		c.Seed(r)
	}
	for _, b := range auth.BootstrapClusterRoleBindings() {
		b.Kind, b.APIVersion = "ClusterRoleBinding", rbacv1.SchemeGroupVersion.String()
		c.Seed(b)
	}
	for _, name := range auth.ControllerServiceAccounts {
		c.Seed(&corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{Kind: "ServiceAccount", APIVersion: "v1"}, ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "kube-system"}})
	}
}

// assemble wires a cluster's components over a store holding contents
// (empty when nil).
func assemble(opts Options, contents *sim.Contents) *Cluster {
	lat := DefaultLatencies()
	if opts.Latencies != nil {
		lat = *opts.Latencies
	}
	engine := sim.New(opts.Chooser)
	store := sim.NewStore(engine)
	if contents != nil {
		store = sim.NewStoreWith(engine, contents)
	}
	c := &Cluster{Engine: engine, Store: store, Latency: lat, kubelets: map[string]*kubelet.Kubelet{}, noted: sets.New[schema.GroupKind]()}
	c.Images = NewRegistry(&c.Latency)
	c.Trace = trace.NewRecorder(func() int64 { return int64(engine.Now()) })
	// kube-scheduler records events.k8s.io/v1 Events; the kubelets and the
	// controllers core/v1 ones (cmd/kube-scheduler/app/options).
	c.Trace.UseEventSeries(scheduler.Component)
	c.Trace.Off = opts.Untraced || opts.EventsOnly
	c.Trace.KeepEvents = opts.EventsOnly
	if _, explored := opts.Chooser.(sim.Pruner); explored {
		engine.Track(componentOf)
		if opts.OrderedTrace {
			c.Trace.OnRecord = func() { engine.Touch("trace", true) }
		}
	}
	c.API = apiserver.New(c.Store, c.Trace, engine.Now)
	// kube-apiserver's chain with --authorization-mode=Node,RBAC, as kubeadm
	// configures it (pkg/kubeapiserver/authorizer/reload.go).
	c.API.Authorizer = apiserver.Chain{apiserver.PrivilegedGroup{}, auth.Node{Store: c.Store}, auth.RBAC{Store: c.Store}}
	c.API.Authn.ServiceAccountExists = func(namespace, name string) bool {
		return c.Store.Get(sim.Key{Kind: "ServiceAccount", Namespace: namespace, Name: name}) != nil
	}
	// The policy and webhook plugins run after the built-in ones and before
	// ResourceQuota: MutatingAdmissionPolicy, MutatingAdmissionWebhook,
	// ValidatingAdmissionPolicy, ValidatingAdmissionWebhook
	// (pkg/kubeapiserver/options/plugins.go).
	chain := admission.Default()
	c.policies = admission.NewValidatingAdmissionPolicy(c.Store, c.Trace)
	c.WebhookServers = admission.WebhookServers{}
	webhooks := &admission.WebhookNetwork{Servers: c.WebhookServers, Answer: c.podAnswer}
	quota := slices.IndexFunc(chain, func(p apiserver.AdmissionPlugin) bool { return p.Name() == "ResourceQuota" })
	c.API.Admission = slices.Insert(chain, quota,
		apiserver.AdmissionPlugin(admission.NewMutatingAdmissionPolicy(c.Store, c.Trace)),
		apiserver.AdmissionPlugin(admission.NewMutatingAdmissionWebhook(c.Store, c.Trace, webhooks)),
		apiserver.AdmissionPlugin(c.policies),
		apiserver.AdmissionPlugin(admission.NewValidatingAdmissionWebhook(c.Store, c.Trace, webhooks)))
	c.API.Authn.AddUser(apiserver.SystemKubeScheduler, "")
	c.AddUser("admin", apiserver.SystemMasters)
	c.kubectl = &kubectl.Kubectl{Engine: engine, Rec: c.Trace, API: c.API, Store: c.Store, Latency: lat.Request}
	schedClient := &apiserver.Client{Server: c.API, Engine: engine, Latency: lat.Request, Component: scheduler.Component, Credential: apiserver.SystemKubeScheduler}
	c.scheduler = scheduler.New(scheduler.Config{Cycle: lat.SchedulerCycle}, engine, c.Trace, schedClient, c.Store.List)
	c.slices = &controllers.EndpointSlice{Store: c.Store, Engine: engine, Rec: c.Trace, API: c.controllerClient("endpointslice-controller")}
	c.pvcProtection = &controllers.PVCProtection{Store: c.Store, Engine: engine, Rec: c.Trace, API: c.controllerClient(controllers.PVCProtectionComponent), Now: c.API.MetaNow}
	c.pvProtection = &controllers.PVProtection{Store: c.Store, Rec: c.Trace, API: c.controllerClient(controllers.PVProtectionComponent)}
	c.endpoints = &controllers.Endpoints{Store: c.Store, Engine: engine, Rec: c.Trace, API: c.controllerClient(controllers.EndpointsComponent)}
	c.rsc = &controllers.ReplicaSet{Store: c.Store, Engine: engine, Rec: c.Trace, API: c.controllerClient("replicaset-controller")}
	c.rcm = &controllers.ReplicaSet{Store: c.Store, Engine: engine, Rec: c.Trace, API: c.controllerClient(controllers.ReplicationControllerComponent), Legacy: true}
	c.jobs = &controllers.Job{Store: c.Store, Engine: engine, Rec: c.Trace, API: c.controllerClient(controllers.JobComponent)}
	c.daemons = &controllers.DaemonSet{Store: c.Store, Engine: engine, Rec: c.Trace,
		API: &apiserver.Client{Server: c.API, Engine: engine, Latency: lat.Request, Component: controllers.DaemonSetComponent,
			Credential: apiserver.ServiceAccountUsername("kube-system", "daemon-set-controller")}}
	c.sets = &controllers.StatefulSet{Store: c.Store, Engine: engine, Rec: c.Trace, API: c.controllerClient(controllers.StatefulSetComponent)}
	c.provision = &controllers.ExternalProvisioner{Store: c.Store, Engine: engine, Rec: c.Trace, Latency: lat.CSIProvision, Drivers: map[string]bool{},
		API: &apiserver.Client{Server: c.API, Engine: engine, Latency: lat.Request, Component: controllers.ProvisionerAccount,
			Credential: apiserver.ServiceAccountUsername("kube-system", controllers.ProvisionerAccount)}}
	c.cronJobs = &controllers.CronJob{Store: c.Store, Engine: engine, Rec: c.Trace, API: c.controllerClient(controllers.CronJobComponent)}
	c.jobTTL = &controllers.TTLAfterFinished{Store: c.Store, Engine: engine, Rec: c.Trace, API: c.controllerClient(controllers.TTLAfterFinishedComponent)}
	c.dc = &controllers.Deployment{Store: c.Store, Engine: engine, Rec: c.Trace, API: c.controllerClient("deployment-controller")}
	c.gc = &controllers.GarbageCollector{Store: c.Store, Rec: c.Trace, API: c.controllerClient(garbageCollectorAccount)}
	c.proxies = map[string]*dataplane.Consumer{}
	c.coreDNS = &dataplane.Consumer{ID: coreDNSID, Engine: engine, Rec: c.Trace, Policy: dataplane.DNSRecords, SyncTime: lat.CoreDNSSync, Describe: "A records"}
	c.ingress = &dataplane.Ingress{ID: ingressID, Engine: engine, Rec: c.Trace, SyncTime: lat.IngressSync}
	c.volumes = &controllers.PersistentVolume{Store: c.Store, Engine: engine, Rec: c.Trace, Resync: lat.PVBinderSync,
		API: &apiserver.Client{Server: c.API, Engine: engine, Latency: lat.Request, Component: controllers.PersistentVolumeComponent,
			Credential: apiserver.ServiceAccountUsername("kube-system", "persistent-volume-binder")}}
	c.attach = &controllers.AttachDetach{Store: c.Store, Engine: engine, Rec: c.Trace, Latency: lat.CSIAttach, Faults: map[string]*controllers.CSIAttachFault{},
		API: &apiserver.Client{Server: c.API, Engine: engine, Latency: lat.Request, Component: controllers.AttachDetachComponent,
			Credential: apiserver.ServiceAccountUsername("kube-system", "attachdetach-controller")}}
	c.namespaces = &controllers.NamespaceDefaults{Store: c.Store, SA: c.controllerClient(controllers.ServiceAccountComponent), CA: c.controllerClient(controllers.RootCAPublisherComponent)}
	c.API.Authn.AddUser(controllers.LoopbackUser, "", apiserver.SystemMasters)
	loopback := func(component string) *apiserver.Client {
		return &apiserver.Client{Server: c.API, Engine: engine, Latency: lat.Request, Component: component, Credential: controllers.LoopbackUser}
	}
	c.crds = &controllers.CustomResourceDefinitions{Store: c.Store, Rec: c.Trace, Naming: loopback(controllers.NamingComponent),
		Establishing: loopback(controllers.EstablishingComponent), Now: c.API.MetaNow}
	c.disruption = &controllers.Disruption{Store: c.Store, Rec: c.Trace, API: c.controllerClient(controllers.DisruptionComponent)}
	c.meter = &meter{store: c.Store, engine: engine, loads: func() []*dataplane.Load { return c.loads }}
	c.hpa = &controllers.HorizontalPodAutoscaler{Store: c.Store, Rec: c.Trace, API: c.controllerClient(controllers.HorizontalComponent), Metrics: c.meter,
		Config: controllers.HPAConfig{SyncPeriod: lat.HPASyncPeriod, DownscaleStabilization: lat.HPADownscaleStabilization,
			CPUInitializationPeriod: lat.HPACPUInitialization, InitialReadinessDelay: lat.HPAInitialReadinessDelay, Tolerance: 0.1}}
	// Both run under the node-controller service account
	// (cmd/kube-controller-manager/app/core.go).
	nodeController := func(component string) *apiserver.Client {
		return &apiserver.Client{Server: c.API, Engine: engine, Latency: lat.Request, Component: component,
			Credential: apiserver.ServiceAccountUsername("kube-system", "node-controller")}
	}
	c.lifecycle = &controllers.NodeLifecycle{Store: c.Store, Rec: c.Trace, API: nodeController(controllers.NodeLifecycleComponent), Health: c,
		MonitorPeriod: lat.NodeMonitorPeriod, GracePeriod: lat.NodeMonitorGracePeriod}
	c.ipamClient = nodeController(cidrAllocator)
	c.taints = &controllers.TaintEviction{Store: c.Store, Rec: c.Trace, API: nodeController(controllers.TaintEvictionComponent)}
	c.podGC = &controllers.PodGC{Store: c.Store, Rec: c.Trace, CheckPeriod: lat.PodGCPeriod, Quarantine: lat.PodGCQuarantine,
		API: &apiserver.Client{Server: c.API, Engine: engine, Latency: lat.Request, Component: controllers.PodGCComponent,
			Credential: apiserver.ServiceAccountUsername("kube-system", "pod-garbage-collector")}}
	c.quota = &controllers.ResourceQuota{Store: c.Store, API: &apiserver.Client{Server: c.API, Engine: engine, Latency: lat.Request,
		Component: controllers.ResourceQuotaComponent, Credential: apiserver.ServiceAccountUsername("kube-system", "resourcequota-controller")}}
	return c
}

// The endpoint consumers' names: their watches', and each one's ID (a
// node's kube-proxy is kube-proxy/NODE).
const (
	kubeProxyID = "kube-proxy"
	coreDNSID   = "coredns"
	ingressID   = "ingress-nginx"
)

// garbageCollectorAccount is the garbage collector's service account, the
// name its requests go by.
const garbageCollectorAccount = "generic-garbage-collector"

// controllerClient is how a kube-controller-manager controller talks to
// the API server: under its own service account in kube-system.
func (c *Cluster) controllerClient(name string) *apiserver.Client {
	return &apiserver.Client{Server: c.API, Engine: c.Engine, Latency: c.Latency.Request,
		Component: name, Credential: apiserver.ServiceAccountUsername("kube-system", name)}
}

// AddUser declares a user who authenticates with a static token.
func (c *Cluster) AddUser(name string, groups ...string) {
	c.uids++
	c.API.Authn.AddUser(name, fmt.Sprintf("user-%d", c.uids), groups...)
}

// InstallCSIProvisioner runs the external-provisioner of a CSI driver:
// claims of a StorageClass it serves get volumes. The first one brings the
// provisioners' service account and RBAC, as a driver's deployment does.
func (c *Cluster) InstallCSIProvisioner(driver string) error {
	if len(c.provision.Drivers) == 0 {
		for _, obj := range auth.ProvisionerRBAC(controllers.ProvisionerAccount, controllers.ProvisionerRole) {
			if err := c.Seed(obj.(sim.Object)); err != nil {
				return err
			}
		}
	}
	c.provision.Drivers[driver] = true
	return nil
}

// FailCSIAttach makes a CSI driver's ControllerPublishVolume fail with
// message (times: how many attaches, every one when negative), or, when
// hangs is set, never answer, so that the attacher times out after 2m.
func (c *Cluster) FailCSIAttach(driver, message string, hangs bool, times int) {
	c.attach.Faults[driver] = &controllers.CSIAttachFault{Times: times, Message: message, Hangs: hangs}
}

// ProbesOf says whether a pod with a container of the image has reached a
// kubelet, and whether one of them declared the probe of that kind
// (kubelet.Readiness, Liveness, Startup).
func (c *Cluster) ProbesOf(image, kind string) (seen, declared bool) {
	for _, k := range c.kubelets {
		s, d := k.ProbesOf(image, kind)
		seen, declared = seen || s, declared || d
	}
	return seen, declared
}

// Apply submits one document with `kubectl apply -f` as user (a token the
// API server may or may not know). The result fills in as time passes.
func (c *Cluster) Apply(doc *manifest.Document, user string) *kubectl.Result {
	c.start()
	r := c.kubectl.Apply(doc, user)
	c.noteUnmodelled(doc.GVK, r.Object)
	c.requests = append(c.requests, r)
	return r
}

// Delete runs `kubectl delete` for one object as user.
func (c *Cluster) Delete(kind, namespace, name, user string, opts kubectl.DeleteOptions) *kubectl.Result {
	c.start()
	r := c.kubectl.Delete(kind, namespace, name, user, opts)
	c.requests = append(c.requests, r)
	return r
}

// Requests lists every request submitted so far.
func (c *Cluster) Requests() []*kubectl.Result { return c.requests }

// maxSettleTasks bounds Settle, so that a model that never goes quiet fails
// instead of hanging.
const maxSettleTasks = 50_000_000

// Settle runs the cluster until nothing is left to do.
func (c *Cluster) Settle() error {
	c.start()
	if !c.Engine.Settle(maxSettleTasks) {
		return fmt.Errorf("the cluster did not settle after %d steps (virtual time %v)", maxSettleTasks, c.Engine.Now())
	}
	return nil
}

// Advance lets d of virtual time pass.
func (c *Cluster) Advance(d sim.Duration) {
	c.start()
	c.Engine.RunUntil(c.Engine.Now().Add(d))
}

// Events is the trace so far.
func (c *Cluster) Events() []trace.Event { return c.Trace.Events() }

// Pod returns a pod, or nil.
func (c *Cluster) Pod(namespace, name string) *corev1.Pod {
	p, _ := c.Store.Get(sim.Key{Kind: "Pod", Namespace: namespace, Name: name}).(*corev1.Pod)
	return p
}

// ExplainScheduling makes the scheduler record every node's filter verdict
// and every plugin's score, as a what-if or a scenario asks.
func (c *Cluster) ExplainScheduling() { c.scheduler.Detail = true }

// DeclareWebhookServer changes what the server behind an admission
// webhook answers, named by its Service (namespace/name) or its URL.
func (c *Cluster) DeclareWebhookServer(key string, change func(*admission.WebhookServer)) {
	if c.WebhookServers[key] == nil {
		c.WebhookServers[key] = &admission.WebhookServer{}
	}
	change(c.WebhookServers[key])
}
