package admission

import (
	"context"
	"errors"
	"fmt"
	"net"
	neturl "net/url"
	"slices"
	"strconv"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
	k8sadmission "k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/webhook"
	webhookerrors "k8s.io/apiserver/pkg/admission/plugin/webhook/errors"
	"k8s.io/apiserver/pkg/admission/plugin/webhook/generic"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/util/proxy"
	webhookutil "k8s.io/apiserver/pkg/util/webhook"
	"k8s.io/client-go/informers"
	coreinformers "k8s.io/client-go/informers/core"
	coreinformersv1 "k8s.io/client-go/informers/core/v1"
	listersv1 "k8s.io/client-go/listers/core/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// WebhookServer is what a scenario says the server behind an admission
// webhook does: the model has no process to ask. It answers after Delay;
// one that takes the webhook's timeoutSeconds or longer is cut off.
type WebhookServer struct {
	// Deny refuses the request with Message, Code and Reason
	// (metav1.Status fields of the AdmissionResponse's result).
	Deny    bool
	Message string
	Code    int32
	Reason  string
	// Patch is the JSON patch a mutating webhook returns.
	Patch    string
	Warnings []string
	Delay    sim.Duration
}

// WebhookServers are the declared servers, by the Service a webhook's
// clientConfig names ("namespace/name") or by its URL.
type WebhookServers map[string]*WebhookServer

// WebhookNetwork is what the API server's calls meet: the declared
// servers, and for a Service's endpoints what the pod does with a new
// connection now (the kubelet's dataplane.OK, Refused, Unreachable or
// Timeout).
type WebhookNetwork struct {
	Servers WebhookServers
	Answer  func(pod sim.Key, port int32) string
}

// webhookRoundTrip is one call's time on the wire, inside the cluster,
// over a connection kept alive: the model's choice, small against any
// server's own time.
const webhookRoundTrip = 2 * sim.Millisecond

// webhookCaller is what the two webhook plugins share: the stored
// configurations as upstream's accessors, upstream's matching
// (generic.Webhook.ShouldCallHook: rules, matchPolicy, namespace and
// object selectors, matchConditions), and the call itself, modelled:
// how the API server reaches the server and what the server answers.
type webhookCaller struct {
	store   *sim.Store
	rec     *trace.Recorder
	net     *WebhookNetwork
	kind    string // ValidatingWebhookConfiguration or MutatingWebhookConfiguration
	matcher *generic.Webhook
	authz   *authorizerAdapter
	hooks   []webhook.WebhookAccessor
	stale   bool
}

func newWebhookCaller(store *sim.Store, rec *trace.Recorder, net *WebhookNetwork, kind string) *webhookCaller {
	c := &webhookCaller{store: store, rec: rec, net: net, kind: kind, stale: true}
	store.Watch("kube-apiserver webhook source", kind, 0, func(sim.WatchEvent) { c.stale = true })
	return c
}

// webhook is upstream's matcher, built when the first request meets a
// webhook: building it compiles the CEL environments of matchConditions,
// most of what a new cluster would otherwise cost (the race explorer
// builds one per run).
func (c *webhookCaller) webhook() *generic.Webhook {
	if c.matcher != nil {
		return c.matcher
	}
	// The handler, source and dispatcher are the model's: only
	// ShouldCallHook is used, which needs none of them.
	w, err := generic.NewWebhook(k8sadmission.NewHandler(k8sadmission.Create, k8sadmission.Update), nil,
		func(informers.SharedInformerFactory, sets.Set[schema.GroupResource]) generic.Source { return nil },
		func(*webhookutil.ClientManager) generic.Dispatcher { return nil })
	if err != nil {
		panic(err) // no config file is read: NewWebhook cannot fail
	}
	w.SetExternalKubeInformerFactory(namespaceInformers{lister: namespaceLister{c.store}})
	c.authz = &authorizerAdapter{}
	w.SetUnconditionalAuthorizer(c.authz)
	c.matcher = w
	return w
}

// configured is every webhook of every configuration, configurations in
// name order as upstream's configuration managers sort them.
func (c *webhookCaller) configured() []webhook.WebhookAccessor {
	if !c.stale {
		return c.hooks
	}
	c.stale = false
	c.hooks = c.hooks[:0]
	configs := c.store.List(c.kind, "")
	slices.SortFunc(configs, func(a, b sim.Object) int { return compareStrings(a.GetName(), b.GetName()) })
	for _, o := range configs {
		seen := map[string]int{}
		switch cfg := o.(type) {
		case *admissionregistrationv1.ValidatingWebhookConfiguration:
			for i := range cfg.Webhooks {
				h := &cfg.Webhooks[i]
				c.hooks = append(c.hooks, webhook.NewValidatingWebhookAccessor(hookUID(cfg.Name, h.Name, seen), cfg.Name, h))
			}
		case *admissionregistrationv1.MutatingWebhookConfiguration:
			for i := range cfg.Webhooks {
				h := &cfg.Webhooks[i]
				c.hooks = append(c.hooks, webhook.NewMutatingWebhookAccessor(hookUID(cfg.Name, h.Name, seen), cfg.Name, h))
			}
		}
	}
	return c.hooks
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// hookUID names a webhook as the configuration managers do:
// configuration, webhook, and how many of that name came before.
func hookUID(config, hook string, seen map[string]int) string {
	uid := fmt.Sprintf("%s/%s/%d", config, hook, seen[hook])
	seen[hook]++
	return uid
}

// matching are the webhooks this request is sent to, in order, or the
// error a failing matchCondition or selector gives.
func (c *webhookCaller) matching(r *apiserver.AdmissionRequest, attrs k8sadmission.Attributes, oi objectInterfaces) ([]*generic.WebhookInvocation, error) {
	hooks := c.configured()
	if len(hooks) == 0 {
		return nil, nil
	}
	if r.Namespace != "" && c.store.Get(sim.Key{Kind: "Namespace", Name: r.Namespace}) == nil {
		return nil, nil // NamespaceLifecycle refuses it; upstream would GET the namespace
	}
	matcher := c.webhook()
	c.authz.chain = r.Authorizer
	versioned := versionedAttributes{attrs}
	var out []*generic.WebhookInvocation
	for _, h := range hooks {
		inv, err := matcher.ShouldCallHook(context.Background(), h, attrs, oi, versioned)
		if err != nil {
			return nil, err
		}
		if inv != nil {
			out = append(out, inv)
		}
	}
	return out, nil
}

// attributes are the request as upstream's admission code sees it.
func attributes(r *apiserver.AdmissionRequest) *annotated {
	gvk := r.Resource.GVK
	gvr := gvk.GroupVersion().WithResource(r.Resource.Resource)
	u := &user.DefaultInfo{Name: r.User.Name, UID: r.User.UID, Groups: r.User.Groups}
	var old runtime.Object
	if r.Old != nil {
		old = r.Old
	}
	return &annotated{Attributes: k8sadmission.NewAttributesRecord(r.Object, old, gvk, r.Namespace, r.Name, gvr, r.Subresource,
		k8sadmission.Operation(r.Operation), nil, false, u)}
}

// versionedAttributes: the model's objects are already in the version
// the webhooks ask for.
type versionedAttributes struct{ attrs k8sadmission.Attributes }

func (v versionedAttributes) VersionedAttribute(gvk schema.GroupVersionKind) (*k8sadmission.VersionedAttributes, error) {
	return &k8sadmission.VersionedAttributes{Attributes: v.attrs, VersionedKind: gvk,
		VersionedObject: k8sadmission.NewLazyObject(v.attrs.GetObject()), VersionedOldObject: k8sadmission.NewLazyObject(v.attrs.GetOldObject())}, nil
}

// call is one webhook call: what the server answered, how long it took,
// or the error the API server's client met (upstream's
// ErrCallingWebhook, worded as Go's HTTP client words it).
func (c *webhookCaller) call(name string, cc admissionregistrationv1.WebhookClientConfig, timeoutSeconds *int32) (answer *WebhookServer, took sim.Duration, err error) {
	timeout := int32(10)
	if timeoutSeconds != nil {
		timeout = *timeoutSeconds
	}
	where, key := "", ""
	var dialed error
	if svc := cc.Service; svc != nil {
		port := int32(443)
		if svc.Port != nil {
			port = *svc.Port
		}
		path := "/" // client-go's request URL for an empty path
		if svc.Path != nil && *svc.Path != "" {
			path = *svc.Path
		}
		where = "https://" + net.JoinHostPort(svc.Name+"."+svc.Namespace+".svc", strconv.Itoa(int(port))) + path
		key = svc.Namespace + "/" + svc.Name
		dialed = c.reach(svc.Namespace, svc.Name, port)
	} else if cc.URL != nil {
		where, key = *cc.URL, *cc.URL
		if u, err := neturl.Parse(where); err == nil && u.Path == "" {
			where += "/"
		}
	}
	limit := sim.Duration(timeout) * sim.Second
	post := func(err error) error {
		return &webhookutil.ErrCallingWebhook{WebhookName: name,
			Reason: fmt.Errorf("failed to call webhook: %w", &neturl.Error{Op: "Post", URL: where + "?timeout=" + strconv.Itoa(int(timeout)) + "s", Err: err}),
			Status: apierrors.NewServiceUnavailable("error calling webhook")}
	}
	switch {
	case dialed == errNoAnswer:
		return nil, limit, post(context.DeadlineExceeded)
	case dialed != nil:
		return nil, webhookRoundTrip, post(dialed)
	}
	server := c.net.Servers[key]
	if server == nil {
		server = &WebhookServer{}
	}
	if server.Delay >= limit {
		return nil, limit, post(context.DeadlineExceeded)
	}
	return server, server.Delay + webhookRoundTrip, nil
}

// reach is how kube-apiserver dials a webhook's Service: through its
// ClusterIP (proxy.ResolveCluster, with --enable-aggregator-routing off as
// kubeadm leaves it), which kube-proxy sends to a ready endpoint. With no
// ready endpoint its REJECT rule refuses the connection; the model takes
// the first endpoint whose pod accepts it, where kube-proxy picks one at
// random, so a call fails only when every endpoint would fail it.
func (c *webhookCaller) reach(namespace, name string, port int32) error {
	u, err := proxy.ResolveCluster(serviceLister{c.store}, namespace, name, port)
	if err != nil {
		return err
	}
	svc := c.store.Get(sim.Key{Kind: "Service", Namespace: namespace, Name: name}).(*corev1.Service)
	if svc.Spec.Type == corev1.ServiceTypeExternalName {
		return nil
	}
	refusedErr := &net.OpError{Op: "dial", Net: "tcp", Addr: tcpAddr(u.Host), Err: refused{}}
	var outcome error = refusedErr
	for _, e := range c.readyEndpoints(svc, port) {
		switch c.net.Answer(e.pod, e.port) {
		case "ok":
			return nil
		case "timeout", "unreachable":
			outcome = errNoAnswer // accepted and never answered, or routed to an IP that is gone
		}
	}
	return outcome
}

// errNoAnswer is a connection that nothing answers: the call runs into
// its timeout.
var errNoAnswer = errors.New("no answer")

type endpoint struct {
	pod  sim.Key
	port int32
}

// readyEndpoints are the Service's ready endpoints for the port, as its
// EndpointSlices list them.
func (c *webhookCaller) readyEndpoints(svc *corev1.Service, port int32) []endpoint {
	var portName string
	for _, p := range svc.Spec.Ports {
		if p.Port == port {
			portName = p.Name
		}
	}
	var out []endpoint
	for _, o := range c.store.List("EndpointSlice", svc.Namespace) {
		slice := o.(*discoveryv1.EndpointSlice)
		if slice.Labels[discoveryv1.LabelServiceName] != svc.Name {
			continue
		}
		target := int32(0)
		for _, p := range slice.Ports {
			if p.Name != nil && *p.Name == portName && p.Port != nil {
				target = *p.Port
			}
		}
		if target == 0 {
			continue
		}
		for _, e := range slice.Endpoints {
			if (e.Conditions.Ready == nil || *e.Conditions.Ready) && e.TargetRef != nil {
				out = append(out, endpoint{sim.Key{Kind: "Pod", Namespace: e.TargetRef.Namespace, Name: e.TargetRef.Name}, target})
			}
		}
	}
	return out
}

// refused is the kernel's answer to a REJECT rule, as syscall.ECONNREFUSED
// prints inside a net.OpError ("connect: connection refused").
type refused struct{}

func (refused) Error() string { return "connect: connection refused" }

type tcpAddr string

func (tcpAddr) Network() string  { return "tcp" }
func (a tcpAddr) String() string { return string(a) }

// denied is a server's refusal as the API server returns it
// (upstream's dispatchers: webhook/errors.ToStatusErr).
func denied(name string, s *WebhookServer) error {
	return webhookerrors.ToStatusErr(name, &metav1.Status{Message: s.Message, Code: s.Code, Reason: metav1.StatusReason(s.Reason)})
}

// serviceLister reads Services from the store for proxy.ResolveCluster;
// its not-found error is the informer lister's ("service \"x\" not found").
type serviceLister struct{ store *sim.Store }

func (s serviceLister) List(selector labels.Selector) ([]*corev1.Service, error) {
	return s.Services("").List(selector)
}

func (s serviceLister) Services(namespace string) listersv1.ServiceNamespaceLister {
	return serviceNamespaceLister{s.store, namespace}
}

type serviceNamespaceLister struct {
	store     *sim.Store
	namespace string
}

func (s serviceNamespaceLister) List(selector labels.Selector) ([]*corev1.Service, error) {
	var out []*corev1.Service
	for _, o := range s.store.List("Service", s.namespace) {
		if selector.Matches(labels.Set(o.GetLabels())) {
			out = append(out, o.(*corev1.Service))
		}
	}
	return out, nil
}

func (s serviceNamespaceLister) Get(name string) (*corev1.Service, error) {
	if svc, ok := s.store.Get(sim.Key{Kind: "Service", Namespace: s.namespace, Name: name}).(*corev1.Service); ok {
		return svc, nil
	}
	return nil, apierrors.NewNotFound(corev1.Resource("service"), name)
}

// namespaceInformers hand upstream's namespace matcher the store's
// namespaces; nothing else of the factory is used.
type namespaceInformers struct {
	informers.SharedInformerFactory
	lister listersv1.NamespaceLister
}

func (f namespaceInformers) Core() coreinformers.Interface { return coreGroup{f.lister} }

type coreGroup struct{ lister listersv1.NamespaceLister }

func (g coreGroup) V1() coreinformersv1.Interface { return coreV1{lister: g.lister} }

type coreV1 struct {
	coreinformersv1.Interface
	lister listersv1.NamespaceLister
}

func (v coreV1) Namespaces() coreinformersv1.TypedNamespaceInformer {
	return namespaceInformer{lister: v.lister}
}

type namespaceInformer struct {
	coreinformersv1.TypedNamespaceInformer
	lister listersv1.NamespaceLister
}

func (n namespaceInformer) Lister() listersv1.NamespaceLister { return n.lister }
