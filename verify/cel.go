// Package verify holds podlife's two checks on a finished run: CEL
// assertions over the trace and the final objects, and the golden-file
// comparison of the whole trace. It is shared by the go test entry (steps)
// and the podlife CLI.
package verify

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/ext"

	"github.com/podlife/podlife/diag"
	"github.com/podlife/podlife/model/trace"
)

// CostLimit stops an expression that would run away (a comprehension inside
// a comprehension over a long trace, say).
const CostLimit = 10_000_000

// State is what an assertion can see: the trace as `events`, and the final
// objects as maps with the same field paths as their YAML.
type State struct {
	Events     []trace.Event
	Pods       []any
	Nodes      []any
	Namespaces []any
	// EndpointSlices are every Service's slices.
	EndpointSlices []any
	// HorizontalPodAutoscalers are the scenario's HPAs, status included.
	HorizontalPodAutoscalers []any
	// Jobs are the scenario's Jobs, status included.
	Jobs []any
	// StatefulSets are the scenario's StatefulSets, status included.
	StatefulSets []any
	// PersistentVolumeClaims are the scenario's claims, status included.
	PersistentVolumeClaims []any
	// PersistentVolumes are the volumes, made or provisioned.
	PersistentVolumes []any
	// ValidatingAdmissionPolicies are the policies, with the status the
	// type-checking controller writes.
	ValidatingAdmissionPolicies []any
	// Ingresses are the Ingresses, with the class admission gave them.
	Ingresses []any
	// Endpoints are the legacy v1 Endpoints the endpoints controller keeps.
	Endpoints []any
	Requests  []any
	Traffic   []any
}

// ToMaps turns API objects into the map form CEL sees (their JSON).
func ToMaps[T any](objs []T) ([]any, error) {
	out := make([]any, 0, len(objs))
	for _, o := range objs {
		b, err := json.Marshal(o)
		if err != nil {
			return nil, err
		}
		var m any
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// lookups remembers which event names an assertion asked about, so that a
// false assertion can show the events it looked at.
type lookups struct{ names []string }

func (l *lookups) note(name string) {
	for _, n := range l.names {
		if n == name {
			return
		}
	}
	l.names = append(l.names, name)
}

// matches: an event is named by its reason (a Kubernetes Event's reason) or
// by its action ("cni-add", "bind").
func matches(e trace.Event, name string) bool { return e.Reason == name || e.Action == name }

func newEnv(l *lookups) (*cel.Env, error) {
	eventsOf := func(v ref.Val) []trace.Event {
		native, err := v.ConvertToNative(reflect.TypeOf([]trace.Event{}))
		if err != nil {
			return nil
		}
		return native.([]trace.Event)
	}
	listOfEvents := cel.ListType(cel.ObjectType("trace.Event"))
	first := func(events []trace.Event, name string) int64 {
		for _, e := range events {
			if matches(e, name) {
				return e.Seq
			}
		}
		return -1
	}
	var adapter types.Adapter
	env, err := cel.NewEnv(
		ext.NativeTypes(reflect.TypeOf(trace.Event{}), ext.ParseStructTags(true)),
		ext.Strings(), ext.Lists(), ext.Sets(), ext.TwoVarComprehensions(), ext.Bindings(), ext.Math(),
		cel.Variable("events", listOfEvents),
		cel.Variable("pods", cel.ListType(cel.DynType)),
		cel.Variable("nodes", cel.ListType(cel.DynType)),
		cel.Variable("namespaces", cel.ListType(cel.DynType)),
		cel.Variable("endpointslices", cel.ListType(cel.DynType)),
		cel.Variable("horizontalpodautoscalers", cel.ListType(cel.DynType)),
		cel.Variable("jobs", cel.ListType(cel.DynType)),
		cel.Variable("statefulsets", cel.ListType(cel.DynType)),
		cel.Variable("persistentvolumeclaims", cel.ListType(cel.DynType)),
		cel.Variable("persistentvolumes", cel.ListType(cel.DynType)),
		cel.Variable("validatingadmissionpolicies", cel.ListType(cel.DynType)),
		cel.Variable("ingresses", cel.ListType(cel.DynType)),
		cel.Variable("endpoints", cel.ListType(cel.DynType)),
		cel.Variable("requests", cel.ListType(cel.DynType)),
		cel.Variable("traffic", cel.ListType(cel.DynType)),
		cel.Function("first",
			cel.MemberOverload("events_first_string", []*cel.Type{listOfEvents, cel.StringType}, cel.IntType,
				cel.BinaryBinding(func(lhs, rhs ref.Val) ref.Val {
					name := string(rhs.(types.String))
					l.note(name)
					return types.Int(first(eventsOf(lhs), name))
				}))),
		cel.Function("last",
			cel.MemberOverload("events_last_string", []*cel.Type{listOfEvents, cel.StringType}, cel.IntType,
				cel.BinaryBinding(func(lhs, rhs ref.Val) ref.Val {
					name := string(rhs.(types.String))
					l.note(name)
					seq := int64(-1)
					for _, e := range eventsOf(lhs) {
						if matches(e, name) {
							seq = e.Seq
						}
					}
					return types.Int(seq)
				}))),
		cel.Function("named",
			cel.MemberOverload("events_named_string", []*cel.Type{listOfEvents, cel.StringType}, listOfEvents,
				cel.BinaryBinding(func(lhs, rhs ref.Val) ref.Val {
					name := string(rhs.(types.String))
					l.note(name)
					var out []trace.Event
					for _, e := range eventsOf(lhs) {
						if matches(e, name) {
							out = append(out, e)
						}
					}
					return types.NewDynamicList(adapter, out)
				}))),
		cel.Function("before",
			cel.MemberOverload("events_before_string_string", []*cel.Type{listOfEvents, cel.StringType, cel.StringType}, cel.BoolType,
				cel.FunctionBinding(func(args ...ref.Val) ref.Val {
					a, b := string(args[1].(types.String)), string(args[2].(types.String))
					l.note(a)
					l.note(b)
					events := eventsOf(args[0])
					fa, fb := first(events, a), first(events, b)
					return types.Bool(fa > 0 && fb > 0 && fa < fb)
				}))),
	)
	if err != nil {
		return nil, err
	}
	adapter = env.CELTypeAdapter()
	return env, nil
}

// Assertion is a CEL expression and where it was written. Pos is the
// position of the expression's first character.
type Assertion struct {
	Expr string
	Pos  diag.Pos
	// Indent is the column where the expression's later lines start (the
	// docstring's indentation); 0 means 1.
	Indent int
}

// Checker is an assertion compiled once, to be checked against many
// states: the explorer checks one invariant after every run.
type Checker struct {
	a    Assertion
	l    *lookups
	prg  cel.Program
	uses map[string]bool // the variables the expression reads
}

// Uses reports whether the assertion reads the variable name ("events",
// "pods", "traffic", ...). The explorer builds only what an invariant
// reads, and counts the trace's order as state only when it reads events.
func (c *Checker) Uses(name string) bool { return c.uses[name] }

// Compile parses and type-checks an assertion; its errors are positioned
// in the feature file.
func Compile(a Assertion) (*Checker, error) {
	l := &lookups{}
	env, err := newEnv(l)
	if err != nil {
		return nil, fmt.Errorf("building the CEL environment: %w", err)
	}
	ast, iss := env.Compile(a.Expr)
	if iss.Err() != nil {
		var errs diag.List
		for _, e := range iss.Errors() {
			errs = append(errs, diag.Errorf(shift(a, e.Location.Line(), e.Location.Column()), "CEL: %s", e.Message))
		}
		return nil, errs.Err()
	}
	if !ast.OutputType().IsExactType(cel.BoolType) {
		return nil, diag.List{diag.Errorf(a.Pos, "CEL: the assertion must be a bool, but it is %s", ast.OutputType())}.Err()
	}
	prg, err := env.Program(ast, cel.CostLimit(CostLimit))
	if err != nil {
		return nil, diag.List{diag.Errorf(a.Pos, "CEL: %v", err)}.Err()
	}
	uses := map[string]bool{}
	for _, r := range ast.NativeRep().ReferenceMap() {
		if r.Name != "" {
			uses[r.Name] = true
		}
	}
	return &Checker{a: a, l: l, prg: prg, uses: uses}, nil
}

// Check evaluates the assertion against a state: nil when it holds, a
// *FalseError showing the events it looked at when it does not.
func (c *Checker) Check(s State) error {
	c.l.names = nil
	out, _, err := c.prg.Eval(map[string]any{
		"events": s.Events, "pods": orEmpty(s.Pods), "nodes": orEmpty(s.Nodes),
		"namespaces": orEmpty(s.Namespaces), "endpointslices": orEmpty(s.EndpointSlices),
		"horizontalpodautoscalers": orEmpty(s.HorizontalPodAutoscalers), "jobs": orEmpty(s.Jobs),
		"statefulsets": orEmpty(s.StatefulSets), "persistentvolumeclaims": orEmpty(s.PersistentVolumeClaims),
		"persistentvolumes": orEmpty(s.PersistentVolumes), "validatingadmissionpolicies": orEmpty(s.ValidatingAdmissionPolicies), "ingresses": orEmpty(s.Ingresses), "endpoints": orEmpty(s.Endpoints), "requests": orEmpty(s.Requests), "traffic": orEmpty(s.Traffic),
	})
	if err != nil {
		return diag.List{diag.Errorf(c.a.Pos, "CEL: evaluating %s: %v", oneLine(c.a.Expr), err)}.Err()
	}
	if out == types.True {
		return nil
	}
	return &FalseError{Assertion: c.a, Looked: lookedAt(s.Events, c.l.names), Names: c.l.names}
}

// Check compiles an assertion and checks it against one state.
func Check(a Assertion, s State) error {
	c, err := Compile(a)
	if err != nil {
		return err
	}
	return c.Check(s)
}

func orEmpty(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

// shift moves a CEL location (1-based line, 0-based column) into the file.
func shift(a Assertion, line, col int) diag.Pos {
	p := a.Pos
	if p.Line == 0 {
		return p
	}
	if line <= 1 {
		p.Col = max(a.Pos.Col, 1) + col
	} else {
		p.Line = a.Pos.Line + line - 1
		p.Col = max(a.Indent, 1) + col
	}
	return p
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func lookedAt(events []trace.Event, names []string) []trace.Event {
	var out []trace.Event
	for _, e := range events {
		for _, n := range names {
			if matches(e, n) {
				out = append(out, e)
				break
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// FalseError is an assertion that evaluated to false.
type FalseError struct {
	Assertion Assertion
	Names     []string
	Looked    []trace.Event
}

func (e *FalseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: assertion is false:\n", e.Assertion.Pos)
	for _, line := range strings.Split(strings.TrimRight(e.Assertion.Expr, "\n"), "\n") {
		b.WriteString("    " + line + "\n")
	}
	switch {
	case len(e.Names) == 0:
		b.WriteString("(the expression names no events; the whole trace is in the golden file, or in the page `podlife run --report FILE` writes)")
	case len(e.Looked) == 0:
		fmt.Fprintf(&b, "no event is named %s", strings.Join(quoteAll(e.Names), " or "))
	default:
		fmt.Fprintf(&b, "events named %s:\n", strings.Join(quoteAll(e.Names), ", "))
		b.WriteString(strings.TrimRight(trace.Text(e.Looked), "\n"))
	}
	return b.String()
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("%q", n)
	}
	return out
}
