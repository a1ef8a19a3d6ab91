package model

import (
	"fmt"
	"testing"

	"github.com/podlife/podlife/model/sim"
)

// A suspended CronJob starts nothing; resumed, it starts at the next time
// its schedule names, not for the times it missed while suspended
// (cronjob_controllerv2.go: suspend returns before scheduling; the next
// schedule time is counted from the last one it acted on).
func TestASuspendedCronJobStartsNothingAndCatchesUpOnlyOnce(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "8"), nil)
	const cron = `apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "* * * * *"
  suspend: %s
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - {name: work, image: "busybox:1.36"}
`
	apply(t, c, "admin", fmt.Sprintf(cron, "true"))
	c.Advance(3*60*sim.Second + 30*sim.Second)
	if n := len(named(c.Events(), "SuccessfulCreate")); n != 0 {
		t.Fatalf("%d Jobs created while suspended, want none", n)
	}
	apply(t, c, "admin", fmt.Sprintf(cron, "false"))
	c.Advance(50 * sim.Second) // to 4m20s: past the 4m schedule
	created := 0
	for _, e := range named(c.Events(), "SuccessfulCreate") {
		if e.Object == "cronjob/default/tick" {
			created++
		}
	}
	// The controller acts on the most recent missed time only: one Job at
	// resumption (for 3m), then one at 4m.
	if created != 2 {
		t.Errorf("%d Jobs created after resuming, want 2 (the last missed time, then 4m)", created)
	}
}
