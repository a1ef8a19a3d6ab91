package steps

import (
	"strconv"
	"strings"

	"github.com/podlife/podlife/model/admission"
)

// webhookSteps say what the servers behind admission webhooks answer: the
// model runs no webhook process, so a scenario declares it. The
// configurations themselves are real manifests; how the API server
// reaches the server (its Service's ClusterIP, kube-proxy's rules, the
// timeout) is the model's.
var webhookSteps = []Definition{
	{
		Pattern: `^the webhook server at (service "([^"]*)"|URL "([^"]*)") denies requests(?: with "(.*)")?(?: and code (\d+))?$`,
		Doc:     "makes the server behind a webhook (named by the Service of its clientConfig, as namespace/name, or by its URL) refuse every request it is sent, with the message (a quote in it written \\\") and the HTTP code of its AdmissionResponse's result (400 when none or below 400, as the API server makes it); kubectl prints `admission webhook \"<name>\" denied the request: <message>`. An undeclared server allows everything",
		Example: `Given the webhook server at service "policy/guard" denies requests with "pods need a team label"`,
		handler: func(w *World) any { return w.webhookDenies },
		scope:   modelOnly,
		reason:  "the scenario's outcome depends on what a webhook server answers, which only the model can declare",
	},
	{
		Pattern: `^the webhook server at (service "([^"]*)"|URL "([^"]*)") patches objects with '(.*)'$`,
		Doc:     "makes the server behind a mutating webhook allow every request with a JSON patch (RFC 6902) the API server applies to the object before the next webhook sees it; a patch that does not apply refuses the request with a 500, whatever the webhook's failurePolicy",
		Example: `Given the webhook server at service "mesh/injector" patches objects with '[{"op":"add","path":"/metadata/labels/injected","value":"true"}]'`,
		handler: func(w *World) any { return w.webhookPatches },
		scope:   modelOnly,
		reason:  "the scenario's outcome depends on what a webhook server answers, which only the model can declare",
	},
	{
		Pattern: `^the webhook server at (service "([^"]*)"|URL "([^"]*)") (answers after (\S+)|warns "(.*)")$`,
		Doc:     "says how long the server takes to answer (the request waits for it; at the webhook's timeoutSeconds, 10 by default, the API server gives up with `context deadline exceeded`, which its failurePolicy turns into a refusal (Fail) or ignores (Ignore)), or that it allows with a warning kubectl prints as `Warning: ...`",
		Example: `Given the webhook server at service "policy/guard" answers after 12s`,
		handler: func(w *World) any { return w.webhookAnswers },
		scope:   modelOnly,
		reason:  "the scenario's outcome depends on what a webhook server answers, which only the model can declare",
	},
}

// webhookServer is the declared server a step names, made on first use.
func (w *World) webhookServer(service, url string) (*admission.WebhookServer, error) {
	key := url
	if url == "" {
		if strings.Count(service, "/") != 1 || strings.HasPrefix(service, "/") || strings.HasSuffix(service, "/") {
			return nil, w.errorf("webhook server %q: name the Service as namespace/name, as the webhook's clientConfig.service does", service)
		}
		key = service
	} else if !strings.HasPrefix(url, "https://") {
		return nil, w.errorf("webhook server %q: a webhook URL must start with https://, as the API server's validation requires", url)
	}
	servers := w.cluster.WebhookServers
	if servers[key] == nil {
		servers[key] = &admission.WebhookServer{}
	}
	return servers[key], nil
}

func (w *World) webhookDenies(_, service, url, message, code string) error {
	s, err := w.webhookServer(service, url)
	if err != nil {
		return err
	}
	s.Deny, s.Message = true, strings.ReplaceAll(message, `\"`, `"`)
	if code != "" {
		n, err := strconv.ParseInt(code, 10, 32)
		if err != nil || n > 599 {
			return w.errorf("webhook server code %q: give an HTTP status code, such as 403", code)
		}
		s.Code = int32(n)
	}
	return nil
}

func (w *World) webhookPatches(_, service, url, patch string) error {
	s, err := w.webhookServer(service, url)
	if err != nil {
		return err
	}
	s.Patch = patch
	return nil
}

func (w *World) webhookAnswers(_, service, url, _, after, warning string) error {
	s, err := w.webhookServer(service, url)
	if err != nil {
		return err
	}
	if after == "" {
		s.Warnings = append(s.Warnings, strings.ReplaceAll(warning, `\"`, `"`))
		return nil
	}
	d, err := parseDuration(after)
	if err != nil {
		return w.errorf("webhook server answers after %q: %v", after, err)
	}
	s.Delay = d
	return nil
}
