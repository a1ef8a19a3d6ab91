package steps

import (
	"slices"
	"strconv"
	"strings"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"

	"github.com/podlife/podlife/model/admission"
)

// webhookSteps say what the servers behind admission webhooks answer: the
// model runs no webhook process, so a scenario declares it. The
// configurations themselves are real manifests; how the API server
// reaches the server (its Service's ClusterIP, kube-proxy's rules, the
// timeout) is the model's. Each step names the server by the Service of
// its clientConfig (model only: on a real cluster it would run as pods,
// which kwok's nodes do not run) or by its URL, which a real cluster's
// API server is sent to a loopback server answering as declared.
var webhookSteps = slices.Concat(
	webhookStep(`denies requests(?: with "(.*)")?(?: and code (\d+))?`,
		"makes the server refuse every request it is sent, with the message (a quote in it written \\\") and the HTTP code of its AdmissionResponse's result (400 when none or below 400, as the API server makes it); kubectl prints `admission webhook \"<name>\" denied the request: <message>`. An undeclared server allows everything",
		`denies requests with "pods need a team label"`, func(w *World) any { return w.webhookDenies }),
	webhookStep(`patches objects with '(.*)'`,
		"makes the server behind a mutating webhook allow every request with a JSON patch (RFC 6902) the API server applies to the object before the next webhook sees it; a patch that does not apply refuses the request with a 500, whatever the webhook's failurePolicy",
		`patches objects with '[{"op":"add","path":"/metadata/labels/injected","value":"true"}]'`, func(w *World) any { return w.webhookPatches }),
	webhookStep(`(answers after (\S+)|warns "(.*)")`,
		"says how long the server takes to answer (the request waits for it; at the webhook's timeoutSeconds, 10 by default, the API server gives up with `context deadline exceeded`, which its failurePolicy turns into a refusal (Fail) or ignores (Ignore)), or that it allows with a warning kubectl prints as `Warning: ...`",
		`answers after 12s`, func(w *World) any { return w.webhookAnswers }),
)

// webhookStep is a server step in its two forms: by Service (model only)
// and by URL (both backends).
func webhookStep(what, doc, example string, handler func(*World) any) []Definition {
	return []Definition{
		{
			Pattern: `^the webhook server at service "([^"]*)" ` + what + `$`,
			Doc:     "for the server behind a webhook's Service (namespace/name): " + doc,
			Example: `Given the webhook server at service "policy/guard" ` + example,
			handler: handler,
			scope:   modelOnly,
			reason:  "a webhook server behind a Service runs as pods, which kwok's nodes do not run: declare it by URL",
		},
		{
			Pattern: `^the webhook server at URL "(https://[^"]*)" ` + what + `$`,
			Doc:     "for the server at a webhook's URL: " + doc + ". On a real cluster, the webhook's URL is sent to a loopback server that answers as declared",
			Example: `Given the webhook server at URL "https://policy.example.com/validate" ` + example,
			handler: handler,
		},
	}
}

// declareWebhookServer changes the declared server a step names: a
// Service as namespace/name, or a URL.
func (w *World) declareWebhookServer(key string, change func(*admission.WebhookServer)) error {
	if !strings.HasPrefix(key, "https://") && (strings.Count(key, "/") != 1 || strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/")) {
		return w.errorf("webhook server %q: name the Service as namespace/name, as the webhook's clientConfig.service does", key)
	}
	w.backend.DeclareWebhookServer(key, change)
	return nil
}

func (w *World) webhookDenies(key, message, code string) error {
	n := int64(0)
	if code != "" {
		var err error
		if n, err = strconv.ParseInt(code, 10, 32); err != nil || n > 599 {
			return w.errorf("webhook server code %q: give an HTTP status code, such as 403", code)
		}
	}
	return w.declareWebhookServer(key, func(s *admission.WebhookServer) {
		s.Deny, s.Message, s.Code = true, strings.ReplaceAll(message, `\"`, `"`), int32(n)
	})
}

func (w *World) webhookPatches(key, patch string) error {
	if _, err := jsonpatch.DecodePatch([]byte(patch)); err != nil {
		return w.errorf("webhook server patch %s: %v: write a JSON patch (RFC 6902), such as '[{\"op\":\"add\",\"path\":\"/metadata/labels/team\",\"value\":\"web\"}]'", patch, err)
	}
	return w.declareWebhookServer(key, func(s *admission.WebhookServer) { s.Patch = patch })
}

func (w *World) webhookAnswers(key, _, after, warning string) error {
	if after == "" {
		return w.declareWebhookServer(key, func(s *admission.WebhookServer) {
			s.Warnings = append(s.Warnings, strings.ReplaceAll(warning, `\"`, `"`))
		})
	}
	d, err := parseDuration(after)
	if err != nil {
		return w.errorf("webhook server answers after %q: %v", after, err)
	}
	return w.declareWebhookServer(key, func(s *admission.WebhookServer) { s.Delay = d })
}
