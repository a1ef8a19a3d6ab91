package kubelet

import (
	"fmt"
	"strings"

	"k8s.io/kubernetes/pkg/util/parsers"
)

// Refusal is why a registry will not serve an image.
type Refusal string

// The refusals a scenario can declare.
const (
	NotFound     Refusal = "not found"    // the repository has no such tag or digest
	Unauthorized Refusal = "unauthorized" // the registry wants credentials the node does not send
	Unreachable  Refusal = "unreachable"  // the registry's host cannot be reached
)

// Refusals lists them, for steps and their errors.
var Refusals = []Refusal{NotFound, Unauthorized, Unreachable}

// pullError is the error the container runtime returns to the kubelet's
// PullImage for a refused image, as containerd v2's CRI plugin words it
// (the kubelet passes the runtime's text through: the exact words are the
// runtime's, and these are the most common runtime's). image is the
// reference the pod spec gives; containerd resolves it to its normalized
// form first (docker.io/library/nginx:latest for nginx).
func pullError(image string, why Refusal) string {
	repo, tag, digest, err := parsers.ParseImageName(image)
	if err != nil { // the kubelet refuses such names before any pull
		return err.Error()
	}
	ref, object := repo+":"+tag, tag
	if digest != "" {
		ref, object = repo+"@"+digest, digest
	}
	host, path, _ := strings.Cut(repo, "/")
	if host == "docker.io" {
		host = "registry-1.docker.io" // containerd's default endpoint for Docker Hub
	}
	head := fmt.Sprintf("failed to pull and unpack image %q: failed to resolve reference %q: ", ref, ref)
	switch why {
	case NotFound:
		return "rpc error: code = NotFound desc = " + head + ref + ": not found"
	case Unauthorized:
		return "rpc error: code = Unknown desc = " + head +
			fmt.Sprintf("pulling from host %s failed with status code [manifests %s]: 401 Unauthorized", host, object)
	default:
		return "rpc error: code = Unknown desc = " + head +
			fmt.Sprintf("failed to do request: Head %q: dial tcp: lookup %s: i/o timeout", "https://"+host+"/v2/"+path+"/manifests/"+object, host)
	}
}

// ValidImage reports why the kubelet could not use an image reference, if
// it could not (it parses them as EnsureImageExists does).
func ValidImage(image string) error {
	_, _, _, err := parsers.ParseImageName(image)
	return err
}
