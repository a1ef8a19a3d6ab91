// kubectl delete, by name, by selection and from manifests.

package steps

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cucumber/godog"

	"github.com/podlife/podlife/model/kubectl"
)

func (w *World) kubectlDelete(user, args string) error {
	line, opts, err := deleteFlags(args)
	if err != nil {
		return w.errorf("kubectl delete %s: %v", args, err)
	}
	positional, namespace := line.positional, line.namespace
	var kind, name string
	if len(positional) == 1 && !strings.Contains(positional[0], "/") {
		// KIND alone: -l or --all pick the objects, or kubectl says
		// what is missing.
		kind = positional[0]
	} else if kind, name, err = kindAndName(positional); err != nil {
		return w.errorf("kubectl delete %s: %v, or KIND with -l SELECTOR or --all", args, err)
	}

	resolved, ok := kindFor(kind)
	if !ok {
		return w.errorf("kubectl delete %s: podlife does not model resource type %q", args, kind)
	}
	w.started = true
	w.last = w.backend.Delete(resolved, namespace, name, user, opts)
	return nil
}

// deleteFlags reads kubectl delete's flags.
func deleteFlags(args string) (kubectlLine, kubectl.DeleteOptions, error) {
	line, err := parseKubectlLine(args, []string{"--grace-period", "--cascade", "-l", "--selector"}, []string{"--force", "--all", "--wait"})
	if err != nil {
		return line, kubectl.DeleteOptions{}, err
	}
	opts := kubectl.DeleteOptions{GracePeriod: -1, Cascade: line.flags["--cascade"], Selector: line.flags["-l"] + line.flags["--selector"]}
	flag := func(name string) bool { v, ok := line.flags[name]; return ok && v != "false" }
	opts.Force, opts.All = flag("--force"), flag("--all")
	opts.NoWait = line.flags["--wait"] == "false"
	if g, given := line.flags["--grace-period"]; given {
		if opts.GracePeriod, err = strconv.Atoi(g); err != nil {
			return line, opts, fmt.Errorf("--grace-period wants whole seconds, not %q", g)
		}
	}
	return line, opts, nil
}

// kubectlDeleteFile runs `kubectl delete -f -` of the docstring's
// manifests, with kubectl delete's flags.
func (w *World) kubectlDeleteFile(user, args string, doc *godog.DocString) error {
	line, opts, err := deleteFlags(args)
	if err != nil {
		return w.errorf("kubectl delete -f %s: %v", args, err)
	}
	if len(line.positional) > 0 || line.namespace != "" || opts.Selector != "" || opts.All {
		return w.errorf("kubectl delete -f: the manifests name the objects; give only --grace-period, --force, --cascade or --wait, not %q", args)
	}
	docs, err := w.manifests(doc, true, "write the manifests of the objects to delete")
	if err != nil {
		return err
	}
	w.started = true
	w.last = w.backend.DeleteFile(docs, user, opts)
	return nil
}
