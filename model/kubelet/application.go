package kubelet

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/sim"
)

// What the application in a container does that the kubelet only sees from
// outside: it hangs, or it outgrows its memory limit.

// Hang says when an application stops answering, as a deadlock or a stuck
// event loop does: After into a run (every run, or the first Times runs),
// the process goes on running and its port still accepts connections (the
// kernel completes the handshake), but no request is answered. HTTP, gRPC
// and exec probes time out after their timeoutSeconds; a TCP probe, which
// only connects, still passes. SIGTERM is handled as the image says.
type Hang struct {
	Hangs bool
	After sim.Duration
	Times int
}

// onRun reports whether the n-th run (from 1) of a container hangs.
func (h Hang) onRun(n int) bool { return h.Hangs && (h.Times == 0 || n <= h.Times) }

// hung reports whether the container's current run has stopped answering.
func (w *worker) hung(c corev1.Container) bool {
	st := w.containers[c.Name]
	h := w.k.registry.Image(c.Image).Hang
	return st.running && h.onRun(st.runs) && w.k.engine.Now() >= st.startedAt.Add(h.After)
}

// mayHang reports whether the container's current run hangs, now or later.
func (w *worker) mayHang(c corev1.Container) bool {
	return w.k.registry.Image(c.Image).Hang.onRun(w.containers[c.Name].runs)
}

// probeTimeout is a probe's timeoutSeconds (the API server's default, 1s,
// for a probe stored without it).
func probeTimeout(spec *corev1.Probe) sim.Duration {
	if spec.TimeoutSeconds <= 0 {
		return sim.Second
	}
	return sim.Duration(spec.TimeoutSeconds) * sim.Second
}

// timedOut is what a probe of a hung application reports once its timeout
// has passed, as each prober words it; ok is set for a TCP probe, which a
// hung application still passes.
func (w *worker) timedOut(spec *corev1.Probe) (output string, ok bool) {
	timeout := probeTimeout(spec)
	switch {
	case spec.HTTPGet != nil:
		// pkg/probe/http/http.go DoHTTPProbe: net/http's error for a
		// client whose Timeout ran out (pkg/kubelet/prober/prober.go
		// builds the URL from the pod IP and the resolved port).
		g := spec.HTTPGet
		scheme := strings.ToLower(string(g.Scheme))
		if scheme == "" {
			scheme = "http"
		}
		host := g.Host
		if host == "" {
			host = w.ip.String()
		}
		url := scheme + "://" + net.JoinHostPort(host, strconv.Itoa(int(w.resolvePort(g.Port.String())))) + g.Path
		return fmt.Sprintf("Get %q: context deadline exceeded (Client.Timeout exceeded while awaiting headers)", url), false
	case spec.GRPC != nil:
		return fmt.Sprintf("timeout: health rpc did not complete within %v", timeout), false // pkg/probe/grpc/grpc.go
	case spec.Exec != nil:
		// cri-client's ExecSync on DeadlineExceeded (remote_runtime.go).
		return fmt.Sprintf("command timed out: %q timed out after %v", strings.Join(spec.Exec.Command, " "), timeout), false
	}
	return "", true
}

// resolvePort is a probe's port as a number: a named port is looked up
// among the containers' ports.
func (w *worker) resolvePort(port string) int32 {
	for _, cp := range w.containerPorts() {
		if cp.Name != "" && cp.Name == port {
			return cp.ContainerPort
		}
	}
	n, _ := strconv.Atoi(port)
	return int32(n)
}

// oomAt says whether the container's current run outgrows its memory
// limit, and how long into the run the kernel kills it: at once when its
// application uses more than the limit from the start, else when it has
// grown to it. A container without a limit is not killed (the node's own
// memory pressure is not modelled).
func (w *worker) oomAt(c corev1.Container) (sim.Duration, bool) {
	app := w.k.registry.Image(c.Image)
	limit, limited := c.Resources.Limits[corev1.ResourceMemory]
	if !limited || app.Memory == 0 || app.Memory <= limit.Value() {
		return 0, false
	}
	return app.MemoryAfter, true
}

// runEnd is how the container's current run ends by itself, if it does:
// the application exits (or is OOM-killed) as its image's Run says, or the
// kernel kills it when it outgrows its memory limit, whichever comes first.
func (w *worker) runEnd(c corev1.Container, run Run, n int) (after sim.Duration, code int32, reason string, ends bool) {
	if !run.Declared && ownedByJob(w.pod) {
		run = DefaultJobRun
	}
	if run.exitsOnRun(n) {
		after, ends = run.For, true
		code, reason = run.outcome()
	}
	if d, oom := w.oomAt(c); oom && (!ends || d < after) {
		after, code, reason, ends = d, 137, "OOMKilled", true
	}
	return after, code, reason, ends
}

// ownedByJob reports whether a Job controls the pod.
func ownedByJob(pod *corev1.Pod) bool {
	ref := metav1.GetControllerOfNoCopy(pod)
	return ref != nil && ref.Kind == "Job" && strings.HasPrefix(ref.APIVersion, "batch/")
}
