package handoff

import (
	"regexp"
	"strings"
	"testing"

	"github.com/podlife/podlife/model/trace"
)

// creation is a pod's way from kubectl to a running container, as the
// model traces it (shortened), with another pod's status written between.
func creation() []trace.Event {
	ev := func(time int64, component, action, object, msg string) trace.Event {
		return trace.Event{Time: time, Component: component, Action: action, Object: object, Message: msg}
	}
	events := []trace.Event{
		ev(0, "kubectl", "request", "pod/default/web", `POST /api/v1/namespaces/default/pods as "admin"`),
		ev(5, "kube-apiserver", "admit", "pod/default/web", "PodSecurity (validating): admitted"),
		ev(5, "etcd", "put", "pod/default/web", "create, resourceVersion 87"),
		ev(5, "kube-apiserver", "respond", "pod/default/web", "201 Created"),
		ev(15, "kube-scheduler", "enqueue", "pod/default/web", "pod added to activeQ"),
		ev(17, "kube-scheduler", "filter", "pod/default/web", "2/2 nodes feasible"),
		ev(22, "kube-apiserver", "request", "pod/default/web", `POST /api/v1/namespaces/default/pods/web/binding as "system:kube-scheduler": 201 Created`),
		ev(22, "etcd", "put", "pod/default/web", "update, resourceVersion 88"),
		ev(23, "kube-apiserver", "request", "pod/default/other", `PATCH /api/v1/namespaces/default/pods/other/status as "system:node:node02": 200 OK`),
		ev(23, "etcd", "put", "pod/default/other", "update, resourceVersion 89"),
		{Time: 27, Component: "kube-scheduler", Action: "bind", Object: "pod/default/web", Type: trace.Normal, Reason: "Scheduled", Message: "Successfully assigned default/web to node01"},
		ev(42, "kubelet/node01", "sync", "pod/default/web", "SyncPod: the pod is new on this node (ADD)"),
		ev(42, "kubelet/node01", "status", "pod/default/web", "phase Pending, PodReadyToStartContainers=False, Initialized=True, Ready=False, ContainersReady=False, PodScheduled=True"),
		ev(47, "kube-apiserver", "request", "pod/default/web", `PATCH /api/v1/namespaces/default/pods/web/status as "system:node:node01": 200 OK`),
		ev(47, "etcd", "put", "pod/default/web", "update, resourceVersion 90"),
		ev(362, "kubelet/node01", "run-sandbox", "pod/default/web", "CRI RunPodSandbox"),
		{Time: 2562, Component: "kubelet/node01", Action: "start-container", Object: "pod/default/web{app}", Type: trace.Normal, Reason: "Started", Message: "Container started"},
		ev(3000, "kubelet/node01", "status", "pod/default/web", "phase Running, podIP 10.244.0.2, PodReadyToStartContainers=True, Initialized=True, Ready=True, ContainersReady=True, PodScheduled=True"),
		ev(3005, "kube-apiserver", "request", "pod/default/web", `PATCH /api/v1/namespaces/default/pods/web/status as "system:node:node01": 200 OK`),
		ev(3005, "etcd", "put", "pod/default/web", "update, resourceVersion 91"),
		ev(3015, "endpointslice-controller", "sync", "service/default/web", "EndpointSlice: 10.244.0.2 (web) r/s/t=true/true/false"),
		ev(3020, "kube-apiserver", "request", "endpointslice/default/web-abcde", `PUT /apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-abcde as "system:serviceaccount:kube-system:endpointslice-controller": 200 OK`),
		ev(3020, "etcd", "put", "endpointslice/default/web-abcde", "update, resourceVersion 92"),
		ev(3530, "kube-proxy/node01", "program", "service/default/web", "iptables rules: 10.244.0.2:80 (added 10.244.0.2:80)"),
	}
	for i := range events {
		events[i].Seq = int64(i + 1)
	}
	return events
}

func lines(d Diagram) string {
	var b strings.Builder
	for _, s := range d.Steps {
		b.WriteString(s.From + " " + kindClass[s.Kind] + " " + s.To + ": " + s.Text + "\n")
	}
	return b.String()
}

// Requests go from their sender (read from the request's user) to the
// API server and on to etcd; a watch wakes the component whose object, or
// whose watched kind, someone else wrote, and never for its own write or
// another pod's status.
func TestHandoffsFollowRequestsWritesAndWatches(t *testing.T) {
	got := lines(Of(creation(), false))
	for _, want := range []string{
		"kubectl request kube-apiserver: POST /api/v1/namespaces/default/pods\n",
		"kube-apiserver request etcd: put pod/default/web (create, resourceVersion 87)\n",
		"kube-apiserver reply kubectl: 201 Created\n",
		"kube-apiserver watch kube-scheduler: watch: pod/web created\nkube-scheduler note kube-scheduler: pod/web enqueue: pod added to activeQ\n",
		"kube-scheduler request kube-apiserver: POST /api/v1/namespaces/default/pods/web/binding: 201 Created\n",
		"kubelet/node02 request kube-apiserver: PATCH /api/v1/namespaces/default/pods/other/status: 200 OK\n",
		"kube-scheduler note kube-scheduler: pod/web Scheduled: Successfully assigned default/web to node01\n",
		"kube-apiserver watch kubelet/node01: watch: pod/web updated\nkubelet/node01 note kubelet/node01: pod/web sync: SyncPod: the pod is new on this node (ADD)\n",
		"kube-apiserver watch endpointslice-controller: watch: pod/web updated\n",
		"endpointslice-controller request kube-apiserver: PUT /apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-abcde: 200 OK\n",
		"kube-apiserver watch kube-proxy/node01: watch: endpointslice/web-abcde updated\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing\n%s\nin\n%s", want, got)
		}
	}
	if n := strings.Count(got, " watch "); n != 4 {
		t.Errorf("%d watch deliveries, want 4 (scheduler, kubelet, endpoints, proxy):\n%s", n, got)
	}
}

// Folded, the diagram keeps the milestones (the request and its answer,
// the create, the binding, Scheduled, Started, each change of phase or
// readiness, the endpoints and the proxy's rules) and the watch deliveries
// that lead to them; status writes, admission and the sandbox go.
func TestFoldingKeepsTheMilestones(t *testing.T) {
	d := Of(creation(), true)
	got := lines(d)
	for _, gone := range []string{"admit", "run-sandbox", "PATCH", "resourceVersion 88", "filter"} {
		if strings.Contains(got, gone) {
			t.Errorf("folded diagram keeps %q:\n%s", gone, got)
		}
	}
	for _, kept := range []string{"Started: Container started", "status: phase Pending, Ready=False", "status: phase Running, podIP 10.244.0.2, Ready=True",
		"binding: 201 Created", "watch kube-proxy/node01", "iptables rules"} {
		if !strings.Contains(got, kept) {
			t.Errorf("folded diagram lacks %q:\n%s", kept, got)
		}
	}
	if d.Events != 24 || d.Shown >= d.Events || !strings.HasPrefix(d.Summary(), "12 of 24 events") {
		t.Errorf("summary %q (shown %d of %d)", d.Summary(), d.Shown, d.Events)
	}
	if want := []string{"kubectl", "kube-apiserver", "etcd", "kube-scheduler", "kubelet/node01", "endpointslice-controller", "kube-proxy/node01"}; strings.Join(d.Participants, " ") != strings.Join(want, " ") {
		t.Errorf("participants %v, want %v", d.Participants, want)
	}
}

// Failed requests through one proxy with one cause fold into one arrow
// that counts them and says until when.
func TestFailedRequestsFoldIntoOneArrowPerCause(t *testing.T) {
	var events []trace.Event
	for i, msg := range []string{
		"request 1 via kube-proxy/node01 to 10.244.0.2:80 (pod default/a): no route to host",
		"request 2 via kube-proxy/node01 to 10.244.0.2:80 (pod default/a): no route to host",
		"request 3 via kube-proxy/node01 to 10.244.0.3:80 (pod default/b): connection refused",
	} {
		events = append(events, trace.Event{Seq: int64(i + 1), Time: int64(1000 + 100*i), Component: "traffic", Action: "request", Object: "service/default/web", Message: msg})
	}
	got := lines(Of(events, true))
	want := "traffic failed kube-proxy/node01: 2 requests failed until 1.100s: no route to host\n" +
		"traffic failed kube-proxy/node01: request 3 via kube-proxy/node01 to 10.244.0.3:80 (pod default/b): connection refused\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// A message with the characters Mermaid reads as syntax comes out with no
// statement end, no entity code (which Mermaid 11 does not decode in
// notes) and no HTML.
func TestMermaidTextCarriesNoSyntaxFromTheMessages(t *testing.T) {
	out := Of([]trace.Event{{Time: 1500, Component: "kubelet/node01", Action: "probe", Object: "pod/default/web",
		Message: `Readiness probe failed: Get "http://10.0.0.1:8080/ready"; <none> #1 #35;`}}, false).Mermaid()
	body := strings.TrimPrefix(out, "sequenceDiagram\n")
	if strings.Contains(body, ";") {
		t.Errorf("a ';' ends a Mermaid statement:\n%s", out)
	}
	if m := regexp.MustCompile(`#\w+;`).FindString(body); m != "" {
		t.Errorf("entity code %q is left undecoded in notes:\n%s", m, out)
	}
	if strings.Contains(body, "<") {
		t.Errorf("a '<' opens HTML:\n%s", out)
	}
	if !strings.Contains(body, `Note over p0: 1.500s pod/web probe: Readiness probe failed: Get "http://10.0.0.1:8080/ready"； ＜none＞ #1 #35；`) {
		t.Errorf("the message does not read as it was:\n%s", out)
	}
}

// The SVG draws one arrow per hand-off and one box per note, failed steps
// in red, with each step's whole text (escaped) in its tooltip.
func TestSVGDrawsEveryStep(t *testing.T) {
	d := Of(creation(), false)
	d.Steps = append(d.Steps, Step{Time: 4000, From: "traffic", To: "kube-proxy/node01", Kind: Failed, Text: `request 9 <refused> & "lost"`, Warning: true})
	d.Participants = append(d.Participants, "traffic")
	svg := d.SVG()
	if n := strings.Count(svg, `<g class="step `); n != len(d.Steps) {
		t.Errorf("%d steps drawn, want %d", n, len(d.Steps))
	}
	if n := strings.Count(svg, `<g class="participant">`); n != len(d.Participants) {
		t.Errorf("%d participants drawn, want %d", n, len(d.Participants))
	}
	if !strings.Contains(svg, `<title>4.000s request 9 &lt;refused&gt; &amp; &#34;lost&#34;</title>`) || !strings.Contains(svg, `marker-end="url(#cross)"`) {
		t.Errorf("the failed request is not drawn as one:\n%s", svg[len(svg)-600:])
	}
	if strings.Count(svg, `stroke="#b00"`) < 1 {
		t.Error("no step is red")
	}
}
