package sim

import "testing"

// A deadline check holds nobody back: Settle leaves it queued and the
// clock where the real work ended; letting time pass runs it.
func TestSettleDoesNotWaitForBackgroundChecks(t *testing.T) {
	e := New(nil)
	var ran []string
	e.AfterBackground(600*Second, "progress check", func() { ran = append(ran, "check") })
	e.After(Second, "work", func() {
		ran = append(ran, "work")
		e.After(Second, "more work", func() { ran = append(ran, "more work") })
	})
	if !e.Settle(100) {
		t.Fatal("did not settle")
	}
	if e.Now() != Time(2*Second) || len(ran) != 2 || e.Pending() != 1 {
		t.Fatalf("settled at %v having run %v, %d pending", e.Now(), ran, e.Pending())
	}
	e.RunUntil(Time(601 * Second))
	if len(ran) != 3 || ran[2] != "check" {
		t.Fatalf("after the deadline: %v", ran)
	}
	if !e.Settle(100) || e.Pending() != 0 {
		t.Fatalf("%d pending", e.Pending())
	}
}
