package model

import (
	"slices"
	"testing"

	"github.com/podlife/podlife/model/dataplane"
	"github.com/podlife/podlife/model/sim"
)

// A rate r for a span d sends r × d requests, request i at start + i/r:
// "3 requests per second for 2s" is six requests, the last at 1.666 s, not
// seven with both ends of the span counted.
func TestTrafficSendsRateTimesSpanRequests(t *testing.T) {
	c := New(Options{})
	if err := c.AddNode(node("node01", "2"), nil); err != nil {
		t.Fatal(err)
	}
	if err := c.SendTraffic(dataplane.Target{Service: sim.Key{Kind: "Service", Namespace: "default", Name: "web"}}, "kube-proxy/node01", 3, 2*sim.Second, 0); err != nil {
		t.Fatal(err)
	}
	c.Advance(5 * sim.Second)
	var times []int64
	for _, r := range c.Traffic() {
		times = append(times, r.Time)
	}
	if want := []int64{0, 333, 666, 1000, 1333, 1666}; !slices.Equal(times, want) {
		t.Errorf("requests sent at %v ms, want %v", times, want)
	}
	if err := c.SendTraffic(dataplane.Target{Service: sim.Key{Kind: "Service", Namespace: "default", Name: "web"}}, "kube-proxy/node01", 1, 500*sim.Millisecond, 0); err == nil {
		t.Error("1 request per second for 500ms sends nothing, and should say so")
	}
}
