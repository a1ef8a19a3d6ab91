package verify

import (
	"errors"
	"strings"
	"testing"

	"github.com/podlife/podlife/diag"
	"github.com/podlife/podlife/model/trace"
)

var sample = State{
	Events: []trace.Event{
		{Seq: 1, Component: "kube-scheduler", Action: "bind", Reason: "Scheduled", Type: trace.Normal},
		{Seq: 2, Component: "kubelet/node01", Action: "cni-add"},
		{Seq: 3, Component: "kubelet/node01", Action: "pull-image", Reason: "Pulling", Type: trace.Normal},
		{Seq: 4, Component: "kubelet/node01", Action: "pull-image", Reason: "Pulled", Type: trace.Normal},
	},
	Pods: []any{map[string]any{"metadata": map[string]any{"name": "web"}, "status": map[string]any{"phase": "Running"}}},
}

func TestHelpersAnswerOrderingQuestions(t *testing.T) {
	cases := []struct {
		expr string
		want bool
	}{
		{"events.before('Scheduled', 'Pulling')", true},
		{"events.before('Pulling', 'Scheduled')", false},
		{"events.before('Scheduled', 'NoSuchEvent')", false},
		{"events.first('cni-add') == 2 && events.last('pull-image') == 4", true},
		{"events.first('NoSuchEvent') == -1", true},
		{"events.named('pull-image').size() == 2", true},
		{"events.exists(e, e.component.startsWith('kubelet/') && e.type == 'Normal')", true},
		{"pods.all(p, p.status.phase == 'Running')", true},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			err := Check(Assertion{Expr: c.expr}, sample)
			if c.want && err != nil {
				t.Fatalf("want true, got %v", err)
			}
			var falseErr *FalseError
			if !c.want && !errors.As(err, &falseErr) {
				t.Fatalf("want a false assertion, got %v", err)
			}
		})
	}
}

func TestAFalseAssertionShowsTheExpressionAndTheEventsItNamed(t *testing.T) {
	err := Check(Assertion{Expr: "events.before('Pulled', 'cni-add')", Pos: diag.Pos{File: "f.feature", Line: 12, Col: 7}}, sample)
	if err == nil {
		t.Fatal("a false assertion passed")
	}
	msg := err.Error()
	for _, want := range []string{"f.feature:12:7: assertion is false:", "events.before('Pulled', 'cni-add')", `events named "Pulled", "cni-add":`, "cni-add", "Pulled:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

func TestCompileErrorsArePositionedInTheFeatureFile(t *testing.T) {
	cases := []struct {
		name, expr, want string
	}{
		{"syntax error on the first line", "events.first('x') ==", "f.feature:10:27: CEL: Syntax error"},
		{"unknown field on a later line", "events.size() > 0 &&\n  events.exists(e, e.reasn == 'x')", "f.feature:11:27: CEL: undefined field 'reasn'"},
		{"not a bool", "events.size()", "f.feature:10:7: CEL: the assertion must be a bool, but it is int"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Check(Assertion{Expr: c.expr, Pos: diag.Pos{File: "f.feature", Line: 10, Col: 7}, Indent: 7}, sample)
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("error = %v\nwant prefix %q", err, c.want)
			}
		})
	}
}

func TestRunawayExpressionsHitTheCostLimit(t *testing.T) {
	var big State
	for i := 0; i < 400; i++ {
		big.Events = append(big.Events, trace.Event{Seq: int64(i + 1), Action: "x"})
	}
	err := Check(Assertion{Expr: "events.all(a, events.all(b, events.all(c, a.seq + b.seq + c.seq > 0)))"}, big)
	if err == nil || !strings.Contains(err.Error(), "cost limit exceeded") {
		t.Fatalf("want a cost limit error, got %v", err)
	}
}

// The explorer builds only the variables an invariant reads, and counts
// the trace's order as state only when it reads events.
func TestACheckerKnowsWhichVariablesItReads(t *testing.T) {
	c, err := Compile(Assertion{Expr: "traffic.all(r, r.outcome == 'ok') && pods.exists(p, p.metadata.name == 'events')"})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"traffic": true, "pods": true, "events": false, "nodes": false, "requests": false} {
		if got := c.Uses(name); got != want {
			t.Errorf("Uses(%q) = %v, want %v", name, got, want)
		}
	}
	c, err = Compile(Assertion{Expr: "events.first('Scheduled') > 0"})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Uses("events") || c.Uses("traffic") {
		t.Errorf("events.first(...) reads events only: %v", c.uses)
	}
}
