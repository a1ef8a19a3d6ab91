package main

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// podlife api-resources prints, byte for byte, what kubectl api-resources
// printed against a real v1.37.2 control plane
// (hack/controlplane/discovery.sh captured both files).
func TestAPIResourcesPrintsWhatKubectlPrintsAgainstV1372(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"api-resources"}, "testdata/api-resources.txt"},
		{[]string{"api-resources", "-o", "wide"}, "testdata/api-resources-wide.txt"},
	} {
		want, err := os.ReadFile(c.want)
		if err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code := runCLI(t, c.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, stderr)
		}
		if diff := cmp.Diff(string(want), stdout); diff != "" {
			t.Errorf("%v differs from kubectl's (-kubectl +podlife):\n%s", c.args, diff)
		}
	}
}
