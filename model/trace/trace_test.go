package trace

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRecorderNumbersEventsAndStampsVirtualTime(t *testing.T) {
	now := int64(0)
	r := NewRecorder(func() int64 { return now })
	r.Step("kubectl", "request", "pod/default/web", "POST /api/v1/namespaces/default/pods")
	now = 1250
	r.Emit("kubelet/node01", "pull-image", "pod/default/web{nginx}", Normal, "Pulling", `Pulling image "nginx"`)

	got := r.Events()
	if len(got) != 2 || got[0].Seq != 1 || got[1].Seq != 2 {
		t.Fatalf("events not numbered from 1: %+v", got)
	}
	if got[0].Time != 0 || got[1].Time != 1250 {
		t.Fatalf("times = %d, %d; want 0, 1250", got[0].Time, got[1].Time)
	}
	if got[0].IsKubernetesEvent() || !got[1].IsKubernetesEvent() {
		t.Fatalf("only the Pulling step is a Kubernetes Event: %+v", got)
	}
}

func TestTextIsOneAlignedLinePerEvent(t *testing.T) {
	events := []Event{
		{Seq: 1, Time: 0, Component: "kubectl", Action: "request", Object: "pod/default/web", Message: "POST /api/v1/namespaces/default/pods as \"admin\""},
		{Seq: 2, Time: 12345, Component: "kubelet/node01", Action: "pull-image", Object: "pod/default/web{nginx}", Type: Normal, Reason: "Pulling", Message: `Pulling image "nginx"`},
	}
	want := header + "\n" +
		`    1   0.000s  kubectl          request          pod/default/web                 POST /api/v1/namespaces/default/pods as "admin"` + "\n" +
		`    2  12.345s  kubelet/node01   pull-image       pod/default/web{nginx}          Normal Pulling: Pulling image "nginx"` + "\n"
	if got := Text(events); got != want {
		t.Fatalf("Text() =\n%s\nwant\n%s", got, want)
	}
	for _, line := range strings.Split(Text(events), "\n") {
		if strings.HasSuffix(line, " ") {
			t.Errorf("line has trailing space: %q", line)
		}
	}
}

func TestJSONUsesTheDocumentedKeys(t *testing.T) {
	out, err := JSON([]Event{{Seq: 1, Time: 5, Component: "etcd", Action: "put", Object: "pod/default/web", Message: "resourceVersion 2"}})
	if err != nil {
		t.Fatal(err)
	}
	var decoded []map[string]any
	if err := json.Unmarshal(out, &decoded); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"seq", "time", "component", "action", "object", "reason", "message", "type"} {
		if _, ok := decoded[0][key]; !ok {
			t.Errorf("JSON event lacks key %q: %s", key, out)
		}
	}
	if empty, _ := JSON(nil); string(empty) != "[]" {
		t.Errorf("JSON(nil) = %s, want []", empty)
	}
}

// Diagrams list components in the order a pod passes through them; each
// controller the model runs has its place, unknown ones come last.
func TestComponentsFollowThePipeline(t *testing.T) {
	var events []Event
	for _, c := range []string{"traffic", "someone-else", "kubelet/node02", "persistentvolume-controller", "garbage-collector",
		"kube-scheduler", "disruption-controller", "kubelet/node01", "kubectl"} {
		events = append(events, Event{Component: c})
	}
	got := strings.Join(Components(events), " ")
	want := "kubectl garbage-collector disruption-controller persistentvolume-controller kube-scheduler kubelet/node01 kubelet/node02 traffic someone-else"
	if got != want {
		t.Fatalf("components\n got %s\nwant %s", got, want)
	}
}
