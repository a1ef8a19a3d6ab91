package kubelet

import (
	"time"

	"k8s.io/client-go/util/flowcontrol"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// The kubelet's back-offs (pkg/kubelet/kubelet.go): image pulls and
// container restarts both start at 10 s and double up to 300 s
// (imageBackOffPeriod, MaxImageBackOff; initialCrashLoopBackOff and the
// KubeletConfiguration default crashLoopBackOff.maxContainerRestartPeriod,
// with the alpha ReduceDefaultCrashLoopBackOffDecay off). A container that
// ran for more than 10 minutes starts its back-off afresh.
const (
	backOffInitial    = 10 * time.Second
	backOffMax        = 300 * time.Second
	crashLoopResetAge = 600 * time.Second

	// podWorkerBackOff is how long the pod worker waits to sync again
	// after a sync that failed for another reason than a container's
	// back-off (pkg/kubelet/kubelet.go backOffPeriod).
	podWorkerBackOff = 10 * sim.Second
)

// backOff is client-go's flowcontrol.Backoff, the one the kubelet uses,
// read on the model's clock: the clock is set to virtual time before each
// use. The kubelet's Backoffs have no jitter; the pod worker's requeues do
// (wait.Jitter with factor 0.5), and the model takes their earliest time.
type backOff struct {
	clock *testingclock.FakeClock
	b     *flowcontrol.Backoff
}

func newBackOff(resetAfter time.Duration) *backOff {
	clock := testingclock.NewFakeClock(apiserver.Epoch)
	b := flowcontrol.NewFakeBackOff(backOffInitial, backOffMax, clock)
	if resetAfter > 0 {
		b.HasExpiredFunc = func(eventTime, lastUpdate time.Time, _ time.Duration) bool {
			return eventTime.Sub(lastUpdate) > resetAfter
		}
	}
	return &backOff{clock: clock, b: b}
}

// at sets the clock to t and returns the Backoff.
func (b *backOff) at(t sim.Time) *flowcontrol.Backoff {
	b.clock.SetTime(wall(t))
	return b.b
}

// wall is virtual time t as the time the model's API objects carry.
func wall(t sim.Time) time.Time { return apiserver.Epoch.Add(sim.Duration(t).Std()) }

// virtual is the model's instant for a time an API object carries.
func virtual(t time.Time) sim.Time { return sim.Time(t.Sub(apiserver.Epoch) / time.Millisecond) }
