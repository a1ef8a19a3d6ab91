package handoff

import (
	"fmt"
	"strings"

	"github.com/podlife/podlife/model/trace"
)

// How the trace's lines read as arrows and notes.

// field reads the word after name in a status message ("Ready=" must not
// match "ContainersReady=").
func field(msg, name string) string {
	for i := 0; ; {
		k := strings.Index(msg[i:], name)
		if k < 0 {
			return ""
		}
		k += i
		if k == 0 || msg[k-1] == ' ' {
			rest := msg[k+len(name):]
			if end := strings.IndexAny(rest, ", "); end >= 0 {
				rest = rest[:end]
			}
			return rest
		}
		i = k + 1
	}
}

// noteText is what a note says: the object and what happened to it. A
// kubelet's status report is cut to what changes: phase, IP, readiness.
func noteText(e trace.Event) string {
	what, msg := e.Action, e.Message
	if e.Reason != "" {
		what = e.Reason
	}
	if strings.HasPrefix(e.Component, "kubelet/") && e.Action == "status" {
		msg = "phase " + field(msg, "phase ")
		if ip := field(e.Message, "podIP "); ip != "" {
			msg += ", podIP " + ip
		}
		msg += ", Ready=" + field(e.Message, "Ready=")
	}
	if e.Object == "" {
		return what + ": " + msg
	}
	return fmt.Sprintf("%s %s: %s", shortObject(e.Object), what, msg)
}

// requester names the component a request came from, by its user.
func requester(msg string) string {
	_, user, ok := strings.Cut(msg, ` as "`)
	if !ok {
		return apiserver
	}
	user, _, _ = strings.Cut(user, `"`)
	switch {
	case strings.HasPrefix(user, "system:node:"):
		return "kubelet/" + strings.TrimPrefix(user, "system:node:")
	case user == "system:kube-scheduler":
		return "kube-scheduler"
	case user == "system:apiserver":
		return apiserver
	case strings.HasPrefix(user, "system:serviceaccount:kube-system:"):
		account := strings.TrimPrefix(user, "system:serviceaccount:kube-system:")
		if c, ok := controllerOfAccount[account]; ok {
			return c
		}
		return account
	}
	// A person's requests: kubectl, or the cluster's set-up on their behalf.
	return kubectl
}

// controllerOfAccount names the components whose service account differs
// from their name (kube-controller-manager's --use-service-account-credentials).
var controllerOfAccount = map[string]string{
	"daemon-set-controller":     "daemonset-controller",
	"node-controller":           "node-lifecycle-controller",
	"persistent-volume-binder":  "persistentvolume-controller",
	"generic-garbage-collector": "garbage-collector",
}

// withoutUser drops the ` as "user"` part of a request line: the arrow
// says who sent it.
func withoutUser(msg string) string {
	before, after, ok := strings.Cut(msg, ` as "`)
	if !ok {
		return msg
	}
	if _, rest, ok := strings.Cut(after, `"`); ok {
		return before + rest
	}
	return before
}

// failedCode reports whether a response line carries a 4xx or 5xx code.
func failedCode(msg string) bool {
	for _, word := range strings.Fields(msg) {
		if len(word) == 3 && (word[0] == '4' || word[0] == '5') && word[1] >= '0' && word[1] <= '9' && word[2] >= '0' && word[2] <= '9' {
			return true
		}
	}
	return false
}

// via is the proxy a traffic request went through ("via kube-proxy/node01").
func via(msg string) string {
	_, rest, ok := strings.Cut(msg, " via ")
	if !ok {
		return "service"
	}
	target, _, _ := strings.Cut(rest, " ")
	return target
}

func baseObject(o string) string {
	if i := strings.IndexByte(o, '{'); i >= 0 {
		return o[:i]
	}
	return o
}

func kindOf(o string) string {
	kind, _, _ := strings.Cut(o, "/")
	return kind
}

// shortObject drops the default namespace: "pod/default/web" reads "pod/web".
func shortObject(o string) string {
	return strings.Replace(o, "/default/", "/", 1)
}

// writeVerb says what an etcd write did, as a watch delivers it:
// "created", "updated", "updated (graceful deletion)", "deleted".
func writeVerb(e trace.Event) string {
	if e.Action == "delete" {
		return "deleted"
	}
	verb, rest, _ := strings.Cut(e.Message, " ")
	verb = strings.TrimSuffix(verb, ",")
	switch verb {
	case "create":
		verb = "created"
	case "update":
		verb = "updated"
	}
	if strings.HasPrefix(rest, "(") {
		if end := strings.IndexAny(rest, ":)"); end > 0 {
			verb += " " + rest[:end] + ")"
		}
	}
	return verb
}
