package admission

import (
	"encoding/json"
	"fmt"
	"reflect"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/registry"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// MutatingAdmissionWebhook is the admission plugin of that name
// (apiserver/pkg/admission/plugin/webhook/mutating/dispatcher.go): the
// matching webhooks are called one after another, in configuration
// order, and each answer's JSON patch is applied before the next call.
type MutatingAdmissionWebhook struct {
	caller    *webhookCaller
	resources runtime.EquivalentResourceMapper
}

// NewMutatingAdmissionWebhook returns the plugin over the cluster's
// MutatingWebhookConfigurations, calling their servers over net.
func NewMutatingAdmissionWebhook(store *sim.Store, rec *trace.Recorder, net *WebhookNetwork) *MutatingAdmissionWebhook {
	return &MutatingAdmissionWebhook{caller: newWebhookCaller(store, rec, net, "MutatingWebhookConfiguration"), resources: equivalentResources()}
}

// MutatesUpdates implements apiserver.UpdateMutator.
func (*MutatingAdmissionWebhook) MutatesUpdates() {}

// Name implements apiserver.AdmissionPlugin.
func (*MutatingAdmissionWebhook) Name() string { return "MutatingAdmissionWebhook" }

// Handles implements apiserver.AdmissionPlugin: creates and updates, once
// a webhook is configured.
func (m *MutatingAdmissionWebhook) Handles(r *apiserver.AdmissionRequest) bool {
	return (r.Operation == "CREATE" || r.Operation == "UPDATE") && len(m.caller.configured()) > 0
}

// Admit implements apiserver.Mutator. A patch that changes the object
// asks for the chain's second run; in it, only the webhooks with
// reinvocationPolicy IfNeeded are called again, and only if the object
// changed after their first call (mutating/dispatcher.go's
// webhookReinvokeContext).
func (m *MutatingAdmissionWebhook) Admit(r *apiserver.AdmissionRequest) (string, error) {
	invocations, err := m.caller.matching(r, attributes(r), objectInterfaces{m.resources})
	if err != nil || len(invocations) == 0 {
		return "no webhook matches", err
	}
	memo := remember[webhookMemo](r, m.Name())
	called := 0
	for _, inv := range invocations {
		h, _ := inv.Webhook.GetMutatingWebhook()
		uid := inv.Webhook.GetUID()
		if r.Reinvoking {
			if after, ok := memo.reinvocable[uid]; !ok || apiequality.Semantic.DeepEqual(after, r.Object) {
				continue
			}
		}
		called++
		answer, took, callErr := m.caller.call(h.Name, h.ClientConfig, h.TimeoutSeconds)
		r.Wait += took
		line, out := m.caller.judge(r, h.Name, h.FailurePolicy, answer, callErr)
		if out == nil && answer != nil && answer.Patch != "" {
			patched, err := applyPatch(r.Object, answer.Patch)
			switch {
			case err != nil:
				// Not a calling error: failurePolicy does not excuse it.
				out = apierrors.NewInternalError(err)
				line = "its patch does not apply: " + err.Error()
			case !apiequality.Semantic.DeepEqual(patched, r.Object):
				r.Object, r.ReinvokeRequested = patched, true
				line = "patched the object: " + answer.Patch
				r.Mutations = append(r.Mutations, fmt.Sprintf("mutating webhook %q patched it: %s", h.Name, answer.Patch))
			default:
				line = "its patch changes nothing: " + answer.Patch
			}
		}
		if !r.Reinvoking && h.ReinvocationPolicy != nil && *h.ReinvocationPolicy == admissionregistrationv1.IfNeededReinvocationPolicy {
			memo.reinvocable[uid] = r.Object.DeepCopyObject()
		}
		m.caller.note(r, r.Wait, h.Name, took, line)
		if out != nil {
			return "", out
		}
	}
	return fmt.Sprintf("%d webhook%s called", called, plural(called)), nil
}

// webhookMemo is what the mutating webhooks remember between the chain's
// two runs: the object as each IfNeeded webhook left it.
type webhookMemo struct{ reinvocable map[string]runtime.Object }

func (w *webhookMemo) init() { w.reinvocable = map[string]runtime.Object{} }

// remember is a plugin's memo for this request, made on first use.
func remember[M any, P interface {
	*M
	init()
}](r *apiserver.AdmissionRequest, plugin string) P {
	if r.Memo == nil {
		r.Memo = map[string]any{}
	}
	if m, ok := r.Memo[plugin].(P); ok {
		return m
	}
	m := P(new(M))
	m.init()
	r.Memo[plugin] = m
	return m
}

// applyPatch applies a webhook's JSON patch to the object as the
// mutating dispatcher does: encoded, patched, decoded, defaulted.
func applyPatch(obj sim.Object, patch string) (sim.Object, error) {
	p, err := jsonpatch.DecodePatch([]byte(patch))
	if err != nil {
		return nil, err
	}
	js, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	if js, err = p.Apply(js); err != nil {
		return nil, err
	}
	out := reflect.New(reflect.TypeOf(obj).Elem()).Interface().(sim.Object)
	if err := json.Unmarshal(js, out); err != nil {
		return nil, err
	}
	out.GetObjectKind().SetGroupVersionKind(obj.GetObjectKind().GroupVersionKind())
	registry.Default(out)
	return out, nil
}

// ValidatingAdmissionWebhook is the admission plugin of that name
// (apiserver/pkg/admission/plugin/webhook/validating/dispatcher.go): the
// matching webhooks are called at once, in parallel, and the request
// waits for the slowest. Of several refusals the first webhook's is
// returned, where upstream returns whichever arrives first.
type ValidatingAdmissionWebhook struct {
	caller    *webhookCaller
	resources runtime.EquivalentResourceMapper
}

// NewValidatingAdmissionWebhook returns the plugin over the cluster's
// ValidatingWebhookConfigurations.
func NewValidatingAdmissionWebhook(store *sim.Store, rec *trace.Recorder, net *WebhookNetwork) *ValidatingAdmissionWebhook {
	return &ValidatingAdmissionWebhook{caller: newWebhookCaller(store, rec, net, "ValidatingWebhookConfiguration"), resources: equivalentResources()}
}

// Name implements apiserver.AdmissionPlugin.
func (*ValidatingAdmissionWebhook) Name() string { return "ValidatingAdmissionWebhook" }

// Handles implements apiserver.AdmissionPlugin: every write, once a
// webhook is configured.
func (v *ValidatingAdmissionWebhook) Handles(*apiserver.AdmissionRequest) bool {
	return len(v.caller.configured()) > 0
}

// Validate implements apiserver.Validator.
func (v *ValidatingAdmissionWebhook) Validate(r *apiserver.AdmissionRequest) (string, error) {
	invocations, err := v.caller.matching(r, attributes(r), objectInterfaces{v.resources})
	if err != nil || len(invocations) == 0 {
		return "no webhook matches", err
	}
	start, slowest := r.Wait, sim.Duration(0)
	var refusal error
	for _, inv := range invocations {
		h, _ := inv.Webhook.GetValidatingWebhook()
		answer, took, callErr := v.caller.call(h.Name, h.ClientConfig, h.TimeoutSeconds)
		slowest = max(slowest, took)
		line, out := v.caller.judge(r, h.Name, h.FailurePolicy, answer, callErr)
		v.caller.note(r, start+took, h.Name, took, line)
		if refusal == nil {
			refusal = out
		}
	}
	r.Wait = start + slowest
	if refusal != nil {
		return "", refusal
	}
	return fmt.Sprintf("%d webhook%s called", len(invocations), plural(len(invocations))), nil
}

// judge turns one call's outcome into the plugin's: a calling error
// fails the request unless failurePolicy is Ignore; a server's refusal
// always does; warnings go back to the client.
func (c *webhookCaller) judge(r *apiserver.AdmissionRequest, name string, policy *admissionregistrationv1.FailurePolicyType, answer *WebhookServer, callErr error) (string, error) {
	switch {
	case callErr != nil && policy != nil && *policy == admissionregistrationv1.Ignore:
		return callErr.Error() + " (failurePolicy Ignore: failing open)", nil
	case callErr != nil:
		return callErr.Error() + " (failurePolicy Fail: failing closed)", apierrors.NewInternalError(callErr)
	case answer.Deny:
		err := denied(name, answer)
		return err.Error(), err
	}
	r.Warnings = append(r.Warnings, answer.Warnings...)
	return "allowed", nil
}

// note records a call when its answer arrives, at offset from the
// request's arrival.
func (c *webhookCaller) note(r *apiserver.AdmissionRequest, offset sim.Duration, name string, took sim.Duration, line string) {
	if c.rec.Off {
		return
	}
	name2 := r.Name
	if name2 == "" {
		name2 = r.Object.GetName()
	}
	if name2 == "" {
		name2 = r.Object.GetGenerateName()
	}
	ref := apiserver.ObjectRef(r.Resource.GVK.Kind, r.Namespace, name2)
	msg := fmt.Sprintf("%s %q, after %s: %s", c.noun(), name, took, line)
	c.store.Engine().AfterIn(apiserver.Component, offset, "admission webhook answer", func() {
		c.rec.Step(apiserver.Component, "webhook", ref, msg)
	})
}

func (c *webhookCaller) noun() string {
	if c.kind == "MutatingWebhookConfiguration" {
		return "mutating webhook"
	}
	return "validating webhook"
}
