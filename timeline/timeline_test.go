package timeline

import (
	"fmt"
	"strings"
	"testing"

	"github.com/podlife/podlife/model/dataplane"
	"github.com/podlife/podlife/model/trace"
)

// shutdown is a pod's life as the model traces it (shortened): created,
// scheduled, started, ready, deleted with a preStop hook while clients
// still send it requests, and gone; a proxy removes it late.
func shutdown() []trace.Event {
	ev := func(ms int64, component, action, object, msg string) trace.Event {
		return trace.Event{Time: ms, Component: component, Action: action, Object: object, Message: msg}
	}
	k8s := func(ms int64, component, action, object, typ, reason, msg string) trace.Event {
		return trace.Event{Time: ms, Component: component, Action: action, Object: object, Type: typ, Reason: reason, Message: msg}
	}
	return []trace.Event{
		ev(5, "etcd", "put", "pod/default/web", "create, resourceVersion 87"),
		k8s(27, "kube-scheduler", "bind", "pod/default/web", trace.Normal, "Scheduled", "Successfully assigned default/web to node01"),
		ev(42, "kubelet/node01", "status", "pod/default/web", "phase Pending, PodReadyToStartContainers=False, Initialized=True, Ready=False, ContainersReady=False, PodScheduled=True"),
		k8s(1500, "kubelet/node01", "start-container", "pod/default/web{app}", trace.Normal, "Started", "Container started"),
		ev(2000, "kubelet/node01", "status", "pod/default/web", "phase Running, podIP 10.244.0.2, PodReadyToStartContainers=True, Initialized=True, Ready=False, ContainersReady=False, PodScheduled=True"),
		ev(3000, "kubelet/node01", "probe", "pod/default/web{app}", "Readiness probe succeeded"),
		ev(3000, "kubelet/node01", "status", "pod/default/web", "phase Running, podIP 10.244.0.2, PodReadyToStartContainers=True, Initialized=True, Ready=True, ContainersReady=True, PodScheduled=True"),
		ev(3530, "kube-proxy/node02", "program", "service/default/web", "iptables rules: 10.244.0.2:80 (added 10.244.0.2:80)"),
		ev(5000, "etcd", "put", "pod/default/web", "update (graceful deletion: deletionTimestamp 2026-01-01T00:00:35Z), resourceVersion 95"),
		ev(5005, "kubelet/node01", "prestop", "pod/default/web{app}", "preStop hook (sleep 2s) started"),
		ev(7005, "kubelet/node01", "stop-container", "pod/default/web{app}", "CRI StopContainer (timeout 28s): SIGTERM"),
		ev(7005, "kubelet/node01", "exit", "pod/default/web{app}", "the application shut down 0s after SIGTERM: exited with code 0"),
		ev(7010, "kubelet/node01", "status", "pod/default/web", "phase Succeeded, podIP 10.244.0.2, PodReadyToStartContainers=False, Initialized=True, Ready=False, ContainersReady=False, PodScheduled=True"),
		ev(7100, "traffic", "request", "service/default/web", "request 40 via kube-proxy/node02 to 10.244.0.2:80 (pod default/web): no route to host"),
		ev(7120, "etcd", "delete", "pod/default/web", "delete, revision 99"),
		ev(7600, "kube-proxy/node02", "program", "service/default/web", "iptables rules: (none) (removed 10.244.0.2:80)"),
		ev(9000, "traffic", "summary", "service/default/web", "via kube-proxy/node02: 80 sent, 79 ok, 0 refused, 1 unreachable, 0 reset"),
	}
}

func bands(r Row) string {
	var parts []string
	for _, b := range r.Bands {
		parts = append(parts, fmt.Sprintf("%s %d-%d", b.State, b.From, b.To))
	}
	return strings.Join(parts, ", ")
}

func labels(marks []Mark) string {
	var parts []string
	for _, m := range marks {
		parts = append(parts, fmt.Sprintf("%d %s", m.Time, m.Label))
	}
	return strings.Join(parts, ", ")
}

// A pod's row shows its phase and readiness as bands (terminating from
// the deletion request until it is gone), its milestones as marks, and
// the waits between them as spans; the proxy's row shows when it added
// and removed the pod; the traffic's row every failed request and its
// cause.
func TestAPodsStoryIsItsBandsMarksAndWaits(t *testing.T) {
	tl := Of(shutdown(), []Check{{Time: 9000, Step: "the trace satisfies:", Passed: true}}, nil)
	if len(tl.Rows) != 3 || tl.Rows[0].Name != "web" || tl.Rows[1].Name != "kube-proxy/node02 service/web" || tl.Rows[2].Name != "traffic" {
		t.Fatalf("rows: %+v", tl.Rows)
	}
	pod := tl.Rows[0]
	if got, want := bands(pod), "Pending 5-2000, Running 2000-3000, Ready 3000-5000, Terminating 5000-7010, Succeeded 7010-7120"; got != want {
		t.Errorf("bands\n got %s\nwant %s", got, want)
	}
	if got, want := labels(pod.Marks), "27 scheduled, 1500 started, 5000 delete, 5005 preStop, 7005 SIGTERM, 7005 exit, 7120 deleted"; got != want {
		t.Errorf("marks\n got %s\nwant %s", got, want)
	}
	if len(pod.Spans) != 2 || pod.Spans[0] != (Span{1500, 3000, "probe delay"}) || pod.Spans[1] != (Span{5000, 7120, "grace period"}) {
		t.Errorf("waits: %+v", pod.Spans)
	}
	if got, want := labels(tl.Rows[1].Marks), "3530 +10.244.0.2:80, 7600 −10.244.0.2:80"; got != want {
		t.Errorf("proxy marks\n got %s\nwant %s", got, want)
	}
	if traffic := tl.Rows[2]; len(traffic.Marks) != 1 || traffic.Marks[0].Label != "no route to host" || !traffic.Marks[0].Warning {
		t.Errorf("traffic marks: %+v", traffic.Marks)
	}
	if tl.End != 9000 {
		t.Errorf("end %d, want 9000", tl.End)
	}
}

// A crash loop shows each back-off as a wait from the exit to the next
// start, the exit with a code other than 0 as a failure.
func TestABackOffIsAWaitBetweenExitAndStart(t *testing.T) {
	var events []trace.Event
	for i, at := range []int64{1000, 12000, 33000} {
		events = append(events,
			trace.Event{Time: at, Component: "kubelet/node01", Action: "start-container", Object: "pod/default/app{app}", Type: trace.Normal, Reason: "Started", Message: "Container started"},
			trace.Event{Time: at + 1000, Component: "kubelet/node01", Action: "exit", Object: "pod/default/app{app}", Message: fmt.Sprintf("exited with code 1 (run %d)", i+1)})
	}
	pod := Of(events, nil, nil).Rows[0]
	if len(pod.Spans) != 2 || pod.Spans[0] != (Span{2000, 12000, "back-off"}) || pod.Spans[1] != (Span{13000, 33000, "back-off"}) {
		t.Errorf("waits: %+v", pod.Spans)
	}
	if !pod.Marks[1].Warning || pod.Marks[1].Label != "exit" {
		t.Errorf("the exit with code 1 is not a failure: %+v", pod.Marks[1])
	}
}

// The SVG draws every band, wait and mark with its whole story in a
// tooltip, failures in red, each check numbered, passed or not.
func TestSVGDrawsTheStory(t *testing.T) {
	svg := Of(shutdown(), []Check{{Time: 9000, Step: "the trace satisfies:", Passed: true}, {Time: 9000, Step: `5 requests <failed>`, Passed: false}}, answered()).SVG()
	for _, want := range []string{
		`<rect class="band Terminating"`, `fill="url(#terminating)"`,
		`<title>grace period: 5.000s–7.120s</title>`,
		`<g class="mark warning"><title>7.100s traffic request service/default/web request 40 via kube-proxy/node02 to 10.244.0.2:80 (pod default/web): no route to host</title>`,
		`<title>✗ 9.000s 5 requests &lt;failed&gt;</title>`, `>✓1</text>`, `>✗2</text>`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("the SVG lacks %s", want)
		}
	}
	if n := strings.Count(svg, `<g class="row">`); n != 3 {
		t.Errorf("%d rows, want 3", n)
	}
	// 80 requests in 9 s, 79 answered, on a plot about 740 pixels wide:
	// the ticks closer than a pixel share one.
	if n := strings.Count(svg, `<line class="ok"`); n < 60 || n > 79 {
		t.Errorf("%d ticks for the answered requests", n)
	}
}

// answered is the shutdown's traffic: a request every 100ms from 1s.
func answered() []dataplane.Result {
	var out []dataplane.Result
	for i := range 80 {
		outcome := dataplane.OK
		if i == 61 {
			outcome = dataplane.Unreachable
		}
		out = append(out, dataplane.Result{Seq: i + 1, Time: int64(1000 + 100*i), Outcome: outcome})
	}
	return out
}
