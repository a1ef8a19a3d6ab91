package model

import (
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/admission"
	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// webhookYAML is one webhook on pod creates, of the given kind, with the
// clientConfig and extra fields given as YAML flow text.
func webhookYAML(kind, clientConfig, extra string) string {
	return fmt.Sprintf(`apiVersion: admissionregistration.k8s.io/v1
kind: %s
metadata: {name: hook}
webhooks:
- name: hook.example.com
  clientConfig: %s
  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
  sideEffects: None
  admissionReviewVersions: [v1]
  %s
`, kind, clientConfig, extra)
}

// TestWebhookOutcomes checks what a pod create meets, message for
// message, against what kube-apiserver v1.37.2 answered on the local
// control plane (the server behind each URL was a Go test server).
func TestWebhookOutcomes(t *testing.T) {
	const url = `{url: "https://hook.example.com/check"}`
	cases := []struct {
		name, kind, clientConfig, extra, seed string
		server                                *admission.WebhookServer
		allowed                               bool
		code                                  int
		message                               string
		took                                  sim.Duration
	}{
		{name: "no Service", kind: "ValidatingWebhookConfiguration", clientConfig: `{service: {namespace: default, name: gone, path: /validate}}`,
			code: 500, message: `Internal error occurred: failed calling webhook "hook.example.com": failed to call webhook: Post "https://gone.default.svc:443/validate?timeout=10s": service "gone" not found`},
		{name: "no such port", kind: "ValidatingWebhookConfiguration", clientConfig: `{service: {namespace: default, name: guard, port: 8443}}`,
			seed: "apiVersion: v1\nkind: Service\nmetadata: {name: guard}\nspec: {ports: [{port: 443}]}\n",
			code: 500, message: `Internal error occurred: failed calling webhook "hook.example.com": failed to call webhook: Post "https://guard.default.svc:8443/?timeout=10s": no service port 8443 found for service "guard"`},
		{name: "no endpoints", kind: "ValidatingWebhookConfiguration", clientConfig: `{service: {namespace: default, name: guard, path: /v}}`,
			seed: "apiVersion: v1\nkind: Service\nmetadata: {name: guard}\nspec: {clusterIP: 10.96.0.50, ports: [{port: 443}]}\n",
			code: 500, message: `Internal error occurred: failed calling webhook "hook.example.com": failed to call webhook: Post "https://guard.default.svc:443/v?timeout=10s": dial tcp 10.96.0.50:443: connect: connection refused`},
		{name: "denied", kind: "ValidatingWebhookConfiguration", clientConfig: url, server: &admission.WebhookServer{Deny: true, Message: "pods need a team label"},
			code: 400, message: `admission webhook "hook.example.com" denied the request: pods need a team label`},
		{name: "denied without explanation", kind: "ValidatingWebhookConfiguration", clientConfig: url, server: &admission.WebhookServer{Deny: true},
			code: 400, message: `admission webhook "hook.example.com" denied the request without explanation`},
		{name: "denied with a code", kind: "ValidatingWebhookConfiguration", clientConfig: url, server: &admission.WebhookServer{Deny: true, Message: "too many", Code: 429, Reason: "TooMany"},
			code: 429, message: `admission webhook "hook.example.com" denied the request: too many`},
		{name: "too slow", kind: "ValidatingWebhookConfiguration", clientConfig: url, extra: "timeoutSeconds: 1", server: &admission.WebhookServer{Delay: 3 * sim.Second},
			code: 500, took: sim.Second, message: `Internal error occurred: failed calling webhook "hook.example.com": failed to call webhook: Post "https://hook.example.com/check?timeout=1s": context deadline exceeded`},
		{name: "too slow, ignored", kind: "MutatingWebhookConfiguration", clientConfig: url, extra: "timeoutSeconds: 1\n  failurePolicy: Ignore", server: &admission.WebhookServer{Delay: 3 * sim.Second},
			allowed: true, took: sim.Second},
		{name: "a patch that does not apply", kind: "MutatingWebhookConfiguration", clientConfig: url, extra: "failurePolicy: Ignore",
			server: &admission.WebhookServer{Patch: `[{"op":"replace","path":"/spec/nothere/x","value":"web"}]`},
			code:   500, message: `Internal error occurred: replace operation does not apply: doc is missing path: /spec/nothere/x: missing value`},
		{name: "outside the namespaceSelector", kind: "ValidatingWebhookConfiguration", clientConfig: `{service: {namespace: default, name: gone}}`,
			extra: "namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [default]}]}", allowed: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := onOneNode(t, tc.seed+"---\n"+webhookYAML(tc.kind, tc.clientConfig, tc.extra))
			if tc.server != nil {
				c.WebhookServers["https://hook.example.com/check"] = tc.server
			}
			createWeb(t, c, tc.allowed, tc.code, tc.message)
			if pod := c.Pod("default", "web"); tc.allowed && pod.CreationTimestamp.Sub(apiserver.Epoch) < tc.took.Std() {
				t.Errorf("created %v into the scenario, before the %v timeout", pod.CreationTimestamp.Sub(apiserver.Epoch), tc.took)
			}
		})
	}
}

// TestAPatchedPodIsWhatIsStored: a mutating webhook's patch is applied
// before validation and storage, and the pod waits for the call.
func TestAPatchedPodIsWhatIsStored(t *testing.T) {
	c := onOneNode(t, webhookYAML("MutatingWebhookConfiguration", `{url: "https://hook.example.com/check"}`, ""))
	c.WebhookServers["https://hook.example.com/check"] = &admission.WebhookServer{Delay: 300 * sim.Millisecond,
		Patch: `[{"op":"add","path":"/metadata/labels","value":{"team":"web"}}]`}
	apply(t, c, "admin", podYAML("web", "100m"))
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	pod := c.Pod("default", "web")
	if pod == nil || pod.Labels["team"] != "web" || pod.Status.Phase != corev1.PodRunning {
		t.Fatalf("pod after the patch: %v", pod)
	}
	if at := pod.CreationTimestamp.Sub(apiserver.Epoch); at < 300*time.Millisecond {
		t.Errorf("created %v into the scenario, before the webhook's 300ms answer", at)
	}
}

// onOneNode is a cluster of one 8-CPU node that already has the objects.
func onOneNode(t *testing.T, yaml string) *Cluster {
	t.Helper()
	c := seeded(t, "seed.yaml", yaml)
	c.AddNode(node("node01", "8"), nil)
	return c
}

// createWeb has admin create pod web, lets the cluster settle, and checks
// the answer: allowed, or refused with the code and message.
func createWeb(t *testing.T, c *Cluster, allowed bool, code int, message string) {
	t.Helper()
	apply(t, c, "admin", podYAML("web", "100m"))
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	r := c.Requests()[0]
	if r.Allowed != allowed || !allowed && (r.Code != code || r.Message != message) {
		t.Errorf("allowed %v, %d %q\nwant allowed %v, %d %q", r.Allowed, r.Code, r.Message, allowed, code, message)
	}
}

// Updates meet the webhooks too: a mutating webhook's patch on a label
// update is what is stored, and a validating webhook may refuse it.
func TestWebhooksJudgeUpdates(t *testing.T) {
	hooks := strings.ReplaceAll(webhookYAML("MutatingWebhookConfiguration", `{url: "https://hook.example.com/mutate"}`, ""), "[CREATE]", "[UPDATE]") +
		"---\n" + strings.ReplaceAll(webhookYAML("ValidatingWebhookConfiguration", `{url: "https://hook.example.com/check"}`, ""), "[CREATE]", "[UPDATE]")
	c := onOneNode(t, hooks+"---\n"+podYAML("web", "100m"))
	c.WebhookServers["https://hook.example.com/mutate"] = &admission.WebhookServer{Patch: `[{"op":"add","path":"/metadata/labels/audited","value":"yes"}]`}
	first := c.Label("Pod", "default", "web", []string{"tier=front"}, false, "admin")
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	if !first.Allowed {
		t.Fatalf("label refused: %s", first.Message)
	}
	if labels := c.Pod("default", "web").Labels; labels["tier"] != "front" || labels["audited"] != "yes" {
		t.Errorf("labels after the update: %v, want tier=front and the webhook's audited=yes", labels)
	}
	c.WebhookServers["https://hook.example.com/check"] = &admission.WebhookServer{Deny: true, Message: "frozen"}
	r := c.Label("Pod", "default", "web", []string{"tier=back"}, true, "admin")
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	if want := `admission webhook "hook.example.com" denied the request: frozen`; r.Allowed || r.Message != want {
		t.Errorf("second label: allowed %v, %q; want refused with %q", r.Allowed, r.Message, want)
	}
}

// A webhook with reinvocationPolicy IfNeeded is called again when a later
// webhook changed the object after it, and only then.
func TestAnIfNeededWebhookIsCalledAgainAfterALaterChange(t *testing.T) {
	hook := func(name, extra string) string {
		return strings.ReplaceAll(webhookYAML("MutatingWebhookConfiguration", `{url: "https://`+name+`.example.com/"}`, extra), "name: hook", "name: "+name)
	}
	for _, tc := range []struct {
		name  string
		later string // the second webhook's patch
		calls int    // of the first
	}{
		{name: "a later webhook changes the object", later: `[{"op":"add","path":"/metadata/labels/b","value":"yes"}]`, calls: 2},
		{name: "nothing changes after it", later: "", calls: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := onOneNode(t, hook("a", "reinvocationPolicy: IfNeeded")+"---\n"+hook("b", ""))
			c.WebhookServers["https://a.example.com/"] = &admission.WebhookServer{Patch: `[{"op":"add","path":"/metadata/labels","value":{"a":"yes"}}]`}
			c.WebhookServers["https://b.example.com/"] = &admission.WebhookServer{Patch: tc.later}
			createWeb(t, c, true, 0, "")
			calls := 0
			for _, e := range c.Events() {
				if e.Action == "webhook" && strings.Contains(e.Message, `"a.example.com"`) {
					calls++
				}
			}
			if calls != tc.calls {
				t.Errorf("webhook a called %d times, want %d", calls, tc.calls)
			}
		})
	}
}
