package verify

import (
	"testing"

	"github.com/podlife/podlife/diag"
	"github.com/podlife/podlife/model/trace"
)

// FuzzCEL: any expression either fails to compile with a positioned
// error, or evaluates over a trace without panicking.
func FuzzCEL(f *testing.F) {
	for _, seed := range []string{"events.before('Scheduled', 'Pulling')", "events.size() > 0 &&", "pods.all(p, p.status.phase == 'Running')",
		"events.map(e, events.map(f, e.seq * f.seq)).size() > 0", "1 / 0 == 1", "'a' + 1", ")"} {
		f.Add(seed)
	}
	state := State{Events: []trace.Event{
		{Seq: 1, Time: 0, Component: "kube-scheduler", Action: "bind", Object: "pod/default/web", Reason: "Scheduled", Type: trace.Normal},
		{Seq: 2, Time: 10, Component: "kubelet/node01", Action: "pull-image", Object: "pod/default/web{app}", Reason: "Pulling", Type: trace.Normal},
	}, Pods: []any{map[string]any{"status": map[string]any{"phase": "Running"}}}}
	f.Fuzz(func(t *testing.T, expr string) {
		err := Check(Assertion{Expr: expr, Pos: diag.Pos{File: "f.feature", Line: 3, Col: 7}}, state)
		_ = err // a false or failing assertion is an error, never a panic
	})
}
