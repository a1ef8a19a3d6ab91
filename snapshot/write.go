package snapshot

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/podlife/podlife/diag"
)

// Write writes objects as a cluster file: a comment saying where it came
// from, then one YAML document per object, in the order given.
func Write(w io.Writer, source string, objs []*unstructured.Unstructured) error {
	out := bufio.NewWriter(w)
	nodes, pods := 0, 0
	for _, o := range objs {
		switch o.GetKind() {
		case "Node":
			nodes++
		case "Pod":
			pods++
		}
	}
	fmt.Fprintf(out, "%s%s as podlife snapshot read it\n", header, source)
	fmt.Fprintf(out, "# (%s: %s, %s; Secrets without their values).\n", count(len(objs), "object"), count(nodes, "node"), count(pods, "pod"))
	fmt.Fprintf(out, "# Ask it what a manifest would do: podlife apply --cluster THIS_FILE -f MANIFEST\n")
	for _, o := range objs {
		data, err := yaml.Marshal(o.Object)
		if err != nil {
			return fmt.Errorf("snapshot: %s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
		}
		out.WriteString("---\n")
		out.Write(data)
	}
	fmt.Fprintf(out, "%s(%s)\n", trailer, count(len(objs), "object"))
	return out.Flush()
}

// header opens, and trailer closes, every snapshot: a file that opens
// with the one and lacks the other was cut short (a full disk, an
// interrupted copy), which YAML alone cannot tell.
const (
	header  = "# A podlife cluster file: the state of "
	trailer = "# The end of the podlife snapshot "
)

// CheckComplete reports a snapshot that was cut short, naming file and
// its last line; any other cluster file passes.
func CheckComplete(file string, data []byte) error {
	if !bytes.HasPrefix(data, []byte(header)) {
		return nil
	}
	trimmed := bytes.TrimRight(data, "\n")
	last := trimmed[bytes.LastIndexByte(trimmed, '\n')+1:]
	if bytes.HasPrefix(last, []byte(trailer)) {
		return nil
	}
	lines := bytes.Count(trimmed, []byte("\n")) + 1
	return diag.Errorf(diag.Pos{File: file, Line: lines}, "the snapshot ends here, without the line %q podlife snapshot ends it with: the file was cut short; take the snapshot again", strings.TrimSpace(trailer)+" (...)")
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
