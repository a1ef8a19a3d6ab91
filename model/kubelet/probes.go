package kubelet

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// ProbeFault says when an application fails a probe: from From until To
// (scenario time; To 0 for ever after), or, when First is positive, on the
// first First probes of each run of a container.
type ProbeFault struct {
	From, To sim.Time
	First    int
}

// fails reports whether the try-th probe (from 1) of a run, made at now,
// fails.
func (f ProbeFault) fails(now sim.Time, try int) bool {
	if f.First < 0 {
		return false
	}
	if f.First > 0 {
		return try <= f.First
	}
	return now >= f.From && (f.To == 0 || now < f.To)
}

// over reports whether no probe after now can fail.
func (f ProbeFault) over(now sim.Time, try int) bool {
	if f.First < 0 {
		return true
	}
	if f.First > 0 {
		return try >= f.First
	}
	return f.To != 0 && now >= f.To
}

// Probe kinds, as the kubelet names them in its events.
const (
	Readiness = "Readiness"
	Liveness  = "Liveness"
	Startup   = "Startup"
)

// never is the fault of an application that passes a probe every time.
var never = ProbeFault{First: -1}

// startProbes starts what probes a container's new run. A startup probe
// comes first: until it succeeds the container is not started and the
// other probes wait (prober/worker.go doProbe). A readiness or liveness
// probe its application fails at times gets a prober that ticks as the
// kubelet's probe worker does; a readiness probe it never fails succeeds at
// its first tick (scheduleReadiness), and a liveness probe it never fails
// changes nothing.
func (w *worker) startProbes(c corev1.Container) {
	st := w.containers[c.Name]
	st.started = c.StartupProbe == nil
	if !st.started {
		f, ok := w.k.registry.Image(c.Image).Probes[Startup]
		if !ok {
			f = never
		}
		st.ready = false
		w.startProber(c, Startup, c.StartupProbe, f)
		return
	}
	w.startedProbes(c)
}

// startedProbes starts the probes of a started container.
func (w *worker) startedProbes(c corev1.Container) {
	app := w.k.registry.Image(c.Image)
	// An application that may hang needs probing to find out.
	hangs := w.mayHang(c)
	fault := func(kind string) (ProbeFault, bool) {
		f, ok := app.Probes[kind]
		if !ok {
			f = never
		}
		return f, ok || hangs
	}
	if f, ok := fault(Readiness); ok && c.ReadinessProbe != nil {
		w.startProber(c, Readiness, c.ReadinessProbe, f)
	} else {
		w.scheduleReadiness(c)
	}
	if f, ok := fault(Liveness); ok && c.LivenessProbe != nil {
		w.startProber(c, Liveness, c.LivenessProbe, f)
	}
}

// prober is the kubelet's probe worker for one probe of one run of a
// container (pkg/kubelet/prober/worker.go doProbe): it ticks every
// periodSeconds from when the pod was added, skips the ticks before
// initialDelaySeconds and before the status shows the container running,
// and changes its result only after failureThreshold failures or
// successThreshold successes in a row. A readiness result starts as
// failure, a liveness one as success; a liveness failure has the
// container killed and restarted, and the prober waits for the next run.
type prober struct {
	w         *worker
	c         corev1.Container
	kind      string
	spec      *corev1.Probe
	fault     ProbeFault
	run       int
	tries     int
	lastOK    bool
	resultRun int
	ok        bool // the result the kubelet acts on
	unknown   bool // no result yet (a startup probe's)
}

func (w *worker) startProber(c corev1.Container, kind string, spec *corev1.Probe, fault ProbeFault) {
	// The results start as the kubelet's do: readiness failure, liveness
	// success, startup unknown (acted on whichever way it goes).
	p := &prober{w: w, c: c, kind: kind, spec: spec, fault: fault, run: w.containers[c.Name].runs, ok: kind == Liveness, unknown: kind == Startup}
	if kind == Readiness {
		w.containers[c.Name].ready = false
	}
	p.next()
}

func probePeriod(spec *corev1.Probe) sim.Duration {
	if spec.PeriodSeconds <= 0 {
		return 10 * sim.Second
	}
	return sim.Duration(spec.PeriodSeconds) * sim.Second
}

// next schedules the next tick: the first after now, and not before the
// initial delay. Ticks wait in the background: a cluster whose only work
// is probing has settled.
func (p *prober) next() {
	w := p.w
	k := w.k
	st := w.containers[p.c.Name]
	period := probePeriod(p.spec)
	now := k.engine.Now()
	earliest := max(now.Add(1), st.startedAt.Add(sim.Duration(p.spec.InitialDelaySeconds)*sim.Second))
	ticks := (earliest.Sub(w.probesFrom) + period - 1) / period
	at := w.probesFrom.Add(ticks * period)
	k.afterBackground(at.Sub(now), "kubelet "+strings.ToLower(p.kind)+" probe", p.tick)
}

func (p *prober) tick() {
	w := p.w
	k := w.k
	st := w.containers[p.c.Name]
	if w.terminating || !st.running || st.runs != p.run || st.signalled {
		return // that run has ended: the next one has its own prober
	}
	if !st.relisted {
		p.next()
		return
	}
	p.tries++
	if w.hung(p.c) {
		if output, passes := w.timedOut(p.spec); !passes {
			run := st.runs
			k.afterBackground(probeTimeout(p.spec), "kubelet "+strings.ToLower(p.kind)+" probe times out", func() {
				if !w.terminating && st.running && st.runs == run && !st.signalled {
					p.result(false, output)
				}
			})
			return
		}
	}
	ok := !p.fault.fails(k.engine.Now(), p.tries)
	output := ""
	if !ok {
		output = w.probeOutput(p.spec)
	}
	p.result(ok, output)
}

// result takes a probe's outcome: a failure is an Unhealthy event with the
// prober's output; a result the thresholds confirm is acted on.
func (p *prober) result(ok bool, output string) {
	w := p.w
	k := w.k
	now := k.engine.Now()
	ref := w.containerRef(p.c.Name)
	if !ok {
		k.rec.Emit(k.component, "probe", ref, trace.Warning, "Unhealthy", p.kind+" probe failed: "+output)
	}
	if ok == p.lastOK && p.tries > 1 {
		p.resultRun++
	} else {
		p.lastOK, p.resultRun = ok, 1
	}
	// The API server's defaults (SetDefaults_Probe), for a probe stored
	// without them.
	failures, successes := int(p.spec.FailureThreshold), int(p.spec.SuccessThreshold)
	if failures <= 0 {
		failures = 3
	}
	if successes <= 0 {
		successes = 1
	}
	if (!ok && p.resultRun >= failures) || (ok && p.resultRun >= successes) {
		if ok != p.ok || p.unknown {
			p.ok, p.unknown = ok, false
			p.act(ok)
		}
		if (p.kind == Liveness && !ok) || p.kind == Startup {
			return // on hold until the next run (a startup probe is done)
		}
	}
	if p.ok && p.fault.over(now, p.tries) && !w.mayHang(p.c) {
		return // nothing can change any more
	}
	p.next()
}

// act applies a probe's new result: readiness makes the container ready or
// not (and the status says so); a liveness failure has the kubelet kill the
// container at once and start it again in the same sync, its restart
// subject to the crash-loop back-off (kuberuntime_manager.go
// computePodActions).
func (p *prober) act(ok bool) {
	w := p.w
	k := w.k
	st := w.containers[p.c.Name]
	ref := w.containerRef(p.c.Name)
	switch p.kind {
	case Readiness:
		st.ready = ok
		if ok {
			k.rec.Stepf(k.component, "probe", ref, "Readiness probe succeeded (%s): the container is ready", describeProbe(p.spec))
		} else {
			k.rec.Stepf(k.component, "probe", ref, "Readiness probe failed %d times in a row (%s): the container is not ready", p.resultRun, describeProbe(p.spec))
		}
		w.writeStatus()
	case Startup:
		if ok {
			st.started = true
			k.rec.Stepf(k.component, "probe", ref, "Startup probe succeeded (%s): the container is started", describeProbe(p.spec))
			w.startedProbes(p.c) // without a readiness probe it is ready at once
			w.writeStatus()
			if isSidecar(p.c) && w.initDone < len(w.pod.Spec.InitContainers) {
				w.syncContainers() // the result's update syncs the pod: the next init container may start
			}
			return
		}
		fallthrough
	case Liveness:
		// A sidecar's kill is computeInitContainerActions', worded its own way.
		msg := fmt.Sprintf("Container %s failed %s probe, will be restarted", p.c.Name, strings.ToLower(p.kind))
		if isSidecar(p.c) {
			msg = fmt.Sprintf("Init container %s failed %s probe", p.c.Name, strings.ToLower(p.kind))
		}
		grace := int64(corev1.DefaultTerminationGracePeriodSeconds)
		switch {
		case p.spec.TerminationGracePeriodSeconds != nil:
			grace = *p.spec.TerminationGracePeriodSeconds
		case w.pod.Spec.TerminationGracePeriodSeconds != nil:
			grace = *w.pod.Spec.TerminationGracePeriodSeconds
		}
		w.kill(w.asRunning(p.c), msg, sim.Duration(grace)*sim.Second, w.stopContainer, w.syncContainers)
	}
}

func (w *worker) containerPorts() []corev1.ContainerPort {
	var ports []corev1.ContainerPort
	for _, c := range w.pod.Spec.Containers {
		ports = append(ports, c.Ports...)
	}
	return ports
}

// probeOutput is what a failed probe reports, as the kubelet's probers
// word it: the application answers HTTP probes 503, refuses TCP ones, its
// exec probe fails with no output, its gRPC health service says
// NOT_SERVING.
func (w *worker) probeOutput(spec *corev1.Probe) string {
	switch {
	case spec.HTTPGet != nil:
		return "HTTP probe failed with statuscode: 503" // pkg/probe/http/http.go
	case spec.TCPSocket != nil: // a named port is resolved first
		return fmt.Sprintf("dial tcp %s:%d: connect: connection refused", w.ip, w.resolvePort(spec.TCPSocket.Port.String())) // pkg/probe/tcp/tcp.go
	case spec.GRPC != nil:
		return `service unhealthy (responded with "NOT_SERVING")` // pkg/probe/grpc/grpc.go
	}
	return ""
}

// scheduleReadiness marks a container ready: at once without a readiness
// probe, else at the first probe tick at least initialDelaySeconds after it
// started (pkg/kubelet/prober/worker.go ticks every periodSeconds from when
// the pod was added).
func (w *worker) scheduleReadiness(c corev1.Container) {
	k := w.k
	st := w.containers[c.Name]
	probe := c.ReadinessProbe
	if probe == nil {
		st.ready = true
		return
	}
	period := probePeriod(probe)
	// Not before now: after a startup probe, readiness is probed from the
	// next tick on.
	earliest := max(st.startedAt.Add(sim.Duration(probe.InitialDelaySeconds)*sim.Second), k.engine.Now())
	ticks := (earliest.Sub(w.probesFrom) + period - 1) / period
	at := w.probesFrom.Add(ticks * period)
	run := st.runs
	w.after(at.Sub(k.engine.Now()), "kubelet readiness probe", func() {
		if !st.running || st.runs != run {
			return // that run has ended: the next one is probed afresh
		}
		st.ready = true
		k.rec.Stepf(k.component, "probe", w.containerRef(c.Name), "Readiness probe succeeded (%s)", describeProbe(probe))
		if st.relisted {
			w.writeStatus()
		}
	})
}

func describeProbe(p *corev1.Probe) string {
	switch {
	case p.HTTPGet != nil:
		return fmt.Sprintf("httpGet %s:%s", p.HTTPGet.Path, p.HTTPGet.Port.String())
	case p.TCPSocket != nil:
		return "tcpSocket " + p.TCPSocket.Port.String()
	case p.Exec != nil:
		return "exec " + strings.Join(p.Exec.Command, " ")
	case p.GRPC != nil:
		return fmt.Sprintf("grpc port %d", p.GRPC.Port)
	}
	return "no handler"
}
