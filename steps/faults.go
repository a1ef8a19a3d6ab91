package steps

import (
	"maps"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podlife/podlife/diag"
	"github.com/podlife/podlife/model/kubelet"
	"github.com/podlife/podlife/model/sim"
)

// faultSteps say what the world outside the cluster does: a registry that
// will not serve an image, an application that exits. The manifest still
// decides what the kubelet does about it (pull policy, restartPolicy).
var faultSteps = []Definition{
	{
		Pattern: `^the registry (does not have|refuses without credentials|cannot be reached for) image "([^"]*)"$`,
		Doc:     "makes every pull of an image fail, as the container runtime (containerd) reports it: the tag does not exist (NotFound), the registry answers 401 Unauthorized, or its host cannot be reached; the kubelet reports ErrImagePull, then ImagePullBackOff, and pulls again after a back-off that doubles from 10s to 300s, per pod and image",
		Example: `Given the registry does not have image "nginx:1.277"`,
		handler: func(w *World) any { return w.refuseImage },
		scope:   modelOnly,
		reason:  "the scenario's outcome depends on a registry failure that only the model can declare",
	},
	{
		Pattern: `^the registry starts serving image "([^"]*)"$`,
		Doc:     "ends a refusal declared before, as when the missing tag is pushed: the kubelet's next pull, once its back-off has passed, succeeds",
		Example: `When the registry starts serving image "nginx:1.277"`,
		handler: func(w *World) any { return w.serveImage },
		scope:   modelOnly,
		reason:  "the scenario's outcome depends on a registry failure that only the model can declare",
	},
	{
		Pattern: `^the application in image "([^"]*)" (exits with code (\d+)|is OOM-killed) after (\S+)(?: (once|the first (\d+) times))?$`,
		Doc:     "says how a container of that image ends on its own: it exits with the code (reason Completed for 0, Error otherwise) or is killed for memory (exit code 137, reason OOMKilled) the given time after it starts; every run, or only the first run (once) or the first N runs, after which it runs until stopped. The pod's restartPolicy decides what follows: a restart after the crash-loop back-off (10s doubling to 300s), or the end of the pod (Succeeded or Failed)",
		Example: `Given the application in image "shop:2.0" exits with code 1 after 3s the first 2 times`,
		handler: func(w *World) any { return w.applicationExits },
		scope:   modelOnly,
		reason:  "the scenario's outcome depends on what a container does, which kwok's kubelets do not run",
	},
	{
		Pattern: `^the application in image "([^"]*)" runs until it is stopped$`,
		Doc:     "says that a container of that image never ends on its own, even in a Job's pod (where an application nothing was said about does its work for 1s and exits 0)",
		Example: `Given the application in image "worker:1" runs until it is stopped`,
		handler: func(w *World) any { return w.applicationRunsOn },
		scope:   modelOnly,
		reason:  "the scenario's outcome depends on what a container does, which kwok's kubelets do not run",
	},
	{
		Pattern: `^the application in image "([^"]*)" fails its (readiness|liveness|startup) probe (?:from (\S+)(?: to (\S+))?|the first (\d+) times)$`,
		Doc:     "says when a container of that image fails the probe its manifest declares: from a time of the scenario (until another, or for ever), or on the first N probes of each run; an HTTP probe gets 503, a TCP probe is refused, an exec probe exits non-zero, a gRPC probe hears NOT_SERVING. The kubelet probes every periodSeconds and acts after failureThreshold failures in a row (successThreshold successes to recover): readiness turns the pod and its endpoint not ready and back, liveness has the container killed and restarted, startup holds the other probes back until it passes and has the container restarted when it fails",
		Example: `Given the application in image "shop:2.0" fails its readiness probe from 30s to 60s`,
		handler: func(w *World) any { return w.applicationFailsProbe },
		scope:   modelOnly,
		reason:  "the scenario's outcome depends on what a container does, which kwok's kubelets do not run",
	},
	{
		Pattern: `^the application in image "([^"]*)" uses (\S+) of memory(?: after (\S+))?$`,
		Doc:     "says how much memory a container of that image uses (a quantity such as 300Mi), from its start or once it has run the given time: above the container's memory limit the kernel kills it (exit code 137, reason OOMKilled), every run alike, and the pod's restartPolicy decides what follows; within its limit, or with none, it runs on (the node's own memory pressure is not modelled)",
		Example: `Given the application in image "cache:2" uses 300Mi of memory after 20s`,
		handler: func(w *World) any { return w.applicationUsesMemory },
		scope:   modelOnly,
		reason:  "the scenario's outcome depends on what a container does, which kwok's kubelets do not run",
	},
	{
		Pattern: `^the application in image "([^"]*)" hangs after (\S+)(?: (once|the first (\d+) times))?$`,
		Doc:     "makes a container of that image stop answering the given time after it starts (every run, or only the first run or the first N runs), as a deadlock does: the process runs on and its port still accepts connections, but requests time out (traffic outcome timeout) and HTTP, gRPC and exec probes fail when their timeoutSeconds runs out (a TCP probe, which only connects, still passes); a liveness probe then has it killed and restarted",
		Example: `Given the application in image "shop:2.0" hangs after 30s once`,
		handler: func(w *World) any { return w.applicationHangs },
		scope:   modelOnly,
		reason:  "the scenario's outcome depends on what a container does, which kwok's kubelets do not run",
	},
	{
		Pattern: `^the CSI driver "([^"]*)" (fails to attach volumes with "(.*)"|never answers attach requests)(?: (once|the first (\d+) times))?$`,
		Doc:     "makes a CSI driver's ControllerPublishVolume fail (every attach, or only the first or the first N) with the error its external-attacher puts in the VolumeAttachment (a quote in it written \\\"), or never answer, so that the attach/detach controller's wait times out after 2m; the controller records FailedAttachVolume on the pod and retries after 500ms, doubling to 2m2s, and the kubelet waits for the attach before it mounts (its 2m3s wait ends in FailedMount naming the unattached volume)",
		Example: `Given the CSI driver "ebs.csi.aws.com" fails to attach volumes with "rpc error: code = Internal desc = Could not attach volume \"vol-0abc\" to node \"i-0def\": attachment of disk failed" the first 2 times`,
		handler: func(w *World) any { return w.failCSIAttach },
		scope:   modelOnly,
		reason:  "the scenario's outcome depends on a storage driver failure that only the model can declare",
	},
	{
		Pattern: `^the CSI driver "([^"]*)" provisions volumes$`,
		Doc:     "installs a CSI driver's external-provisioner (with its service account and RBAC): a claim of a StorageClass whose provisioner is that driver gets a PersistentVolume pvc-<claim UID>, created csi-provision after the PV controller hands the claim over (for WaitForFirstConsumer, once the scheduler has chosen a node; the volume takes that node's zone), with the Provisioning and ProvisioningSucceeded events, and the PV controller binds it; without this step, as on a cluster without the driver, such a claim waits with ExternalProvisioning",
		Example: `Given the CSI driver "ebs.csi.aws.com" provisions volumes`,
		handler: func(w *World) any { return w.installProvisioner },
		scope:   modelOnly,
		reason:  "the scenario needs a CSI driver's provisioner, which the local control plane does not run",
	},
	{
		Pattern: `^the CNI plugin on node "([^"]*)" fails(?: the first (\d+) times)?$`,
		Doc:     "makes the network plugin's ADD on a node fail (every time, or the first N times), as a bridge whose address does not match the node's pod CIDR does: RunPodSandbox fails with FailedCreatePodSandBox and the kubelet tries again after its pod worker's 10s back-off",
		Example: `Given the CNI plugin on node "node02" fails the first 2 times`,
		handler: func(w *World) any { return w.failCNI },
		scope:   modelOnly,
		reason:  "the scenario's outcome depends on a network plugin failure that only the model can declare",
	},
}

// refusals maps the step's words to the registry's refusals.
var refusals = map[string]kubelet.Refusal{
	"does not have":               kubelet.NotFound,
	"refuses without credentials": kubelet.Unauthorized,
	"cannot be reached for":       kubelet.Unreachable,
}

func (w *World) refuseImage(how, image string) error {
	if err := w.checkImage(image); err != nil {
		return err
	}
	w.changeImage(image, func(img *kubelet.Image) {
		img.Refusal = refusals[how]
	})
	return nil
}

func (w *World) serveImage(image string) error {
	if err := w.checkImage(image); err != nil {
		return err
	}
	img := w.cluster.Images.Image(image)
	if img.Refusal == "" {
		return w.errorf("the registry already serves image %q: declare a refusal before, such as: the registry does not have image %q", image, image)
	}
	img.Refusal = ""
	w.cluster.Images.Describe(image, img)
	return nil
}

func (w *World) applicationExits(image, how, code, after, times, count string) error {
	if err := w.checkImage(image); err != nil {
		return err
	}
	d, err := parseDuration(after)
	if err != nil {
		return w.errorf("%v", err)
	}
	run := kubelet.Run{Declared: true, Exits: true, For: d, OOMKilled: strings.HasPrefix(how, "is OOM-killed")}
	if code != "" {
		n, err := strconv.ParseInt(code, 10, 32)
		if err != nil || n > 255 {
			return w.errorf("exit code %s: a process exits with a code from 0 to 255", code)
		}
		run.ExitCode = int32(n)
	}
	if run.Times, err = w.runs(times, count); err != nil {
		return err
	}
	w.changeImage(image, func(img *kubelet.Image) {
		img.Run = run
	})
	return nil
}

func (w *World) applicationRunsOn(image string) error {
	if err := w.checkImage(image); err != nil {
		return err
	}
	w.changeImage(image, func(img *kubelet.Image) {
		img.Run = kubelet.Run{Declared: true}
	})
	return nil
}

// checkImage refuses an image reference the kubelet could not parse: the
// step would describe an image no container can name.
func (w *World) checkImage(image string) error {
	if err := kubelet.ValidImage(image); err != nil {
		return w.errorf("image %q: %v", image, err)
	}
	return nil
}

func (w *World) applicationFailsProbe(image, kind, from, to, first string) error {
	if err := w.checkImage(image); err != nil {
		return err
	}
	var f kubelet.ProbeFault
	if first != "" {
		n, err := strconv.Atoi(first)
		if err != nil || n < 1 {
			return w.errorf("the first %s times: say a number of probes of at least 1", first)
		}
		f.First = n
	} else {
		d, err := parseDuration(from)
		if err != nil {
			return w.errorf("from %v", err)
		}
		f.From = sim.Time(d)
		if to != "" {
			end, err := parseDuration(to)
			if err != nil {
				return w.errorf("to %v", err)
			}
			if end <= d {
				return w.errorf("from %s to %s: the end must come after the start", from, to)
			}
			f.To = sim.Time(end)
		}
	}
	kind = strings.ToUpper(kind[:1]) + kind[1:]
	w.changeImage(image, func(img *kubelet.Image) {
		img.Probes = maps.Clone(img.Probes)
		if img.Probes == nil {
			img.Probes = map[string]kubelet.ProbeFault{}
		}
		img.Probes[kind] = f
	})
	w.probeFaults = append(w.probeFaults, probeFault{image: image, kind: kind, pos: w.pos()})
	return nil
}

// probeFault is a declared probe failure, kept to check at the end of the
// scenario that some container of the image had that probe.
type probeFault struct {
	image, kind string
	pos         diag.Pos
}

// unusedProbeFaults reports the probe failures declared for an image whose
// containers, as they reached their nodes, have no such probe: the
// declaration can change nothing, and is likely a mistake.
func (w *World) unusedProbeFaults() error {
	var errs diag.List
	for _, f := range w.probeFaults {
		if seen, declared := w.cluster.ProbesOf(f.image, f.kind); seen && !declared {
			field := strings.ToLower(f.kind[:1]) + f.kind[1:] + "Probe"
			errs = append(errs, diag.Errorf(f.pos, "no container of image %q has a %s probe, so it cannot fail one: add %s to the container in the manifest, or drop this step", f.image, strings.ToLower(f.kind), field))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func (w *World) failCNI(node, times string) error {
	n := -1
	if times != "" {
		var err error
		if n, err = strconv.Atoi(times); err != nil || n < 1 {
			return w.errorf("the first %s times: say a number of at least 1, or nothing for every time", times)
		}
	}
	k := w.cluster.Kubelet(node)
	if k == nil {
		return w.errorf("no node %q: the cluster has %s", node, strings.Join(w.cluster.Nodes(), ", "))
	}
	k.FailCNI(n)
	return nil
}

// runs reads "once" or "the first N times" as a number of runs, and
// nothing as 0: every run.
func (w *World) runs(times, count string) (int, error) {
	switch {
	case times == "once":
		return 1, nil
	case count != "":
		n, err := strconv.Atoi(count)
		if err != nil || n < 1 {
			return 0, w.errorf("%q: say \"once\", \"the first N times\" with N at least 1, or nothing for every run", times)
		}
		return n, nil
	}
	return 0, nil
}

func (w *World) applicationUsesMemory(image, amount, after string) error {
	if err := w.checkImage(image); err != nil {
		return err
	}
	q, err := resource.ParseQuantity(amount)
	if err != nil || q.Sign() <= 0 {
		return w.errorf("%q: say an amount of memory such as 300Mi or 1Gi", amount)
	}
	var d sim.Duration
	if after != "" {
		if d, err = parseDuration(after); err != nil {
			return w.errorf("%v", err)
		}
	}
	w.changeImage(image, func(img *kubelet.Image) {
		img.Memory, img.MemoryAfter = q.Value(), d
	})
	return nil
}

func (w *World) applicationHangs(image, after, times, count string) error {
	if err := w.checkImage(image); err != nil {
		return err
	}
	d, err := parseDuration(after)
	if err != nil {
		return w.errorf("%v", err)
	}
	hang := kubelet.Hang{Hangs: true, After: d}
	if hang.Times, err = w.runs(times, count); err != nil {
		return err
	}
	w.changeImage(image, func(img *kubelet.Image) {
		img.Hang = hang
	})
	return nil
}

func (w *World) installProvisioner(driver string) error {
	w.declared = true
	return w.cluster.InstallCSIProvisioner(driver)
}

func (w *World) failCSIAttach(driver, how, message, times, count string) error {
	n, err := w.runs(times, count)
	if err != nil {
		return err
	}
	if n == 0 {
		n = -1 // every attach
	}
	w.declared = true
	w.cluster.FailCSIAttach(driver, strings.ReplaceAll(message, `\"`, `"`), strings.HasPrefix(how, "never"), n)
	return nil
}

// changeImage declares what an image's registry or application does.
func (w *World) changeImage(image string, change func(img *kubelet.Image)) {
	w.declared = true
	img := w.cluster.Images.Image(image)
	change(&img)
	w.cluster.Images.Describe(image, img)
}
