package steps

import (
	"testing"
)

// FuzzStepArguments: the parsers behind step arguments and table cells
// (durations, taints, lists, kubectl delete's arguments, object
// references) never panic, whatever a feature file holds.
func FuzzStepArguments(f *testing.F) {
	for _, seed := range []string{"5s", "1.5ms", "-3s", "gpu=true:NoSchedule", "a=b,c=d", "pod web --grace-period=5 --force",
		"deployment/shop --cascade=foreground -n", "ns/name", "", "=:", "--grace-period=x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parseDuration(s)
		parseTaint(s)
		splitList(s)
		splitRef(s)
		kindFor(s)
		w := &World{cfg: &Config{}}
		w.reset("fuzz.feature", "fuzz")
		w.kubectlDelete("admin", s)
		w.cluster.Settle()
	})
}
