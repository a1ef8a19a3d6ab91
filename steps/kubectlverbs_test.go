package steps

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// kubectl's flags in both spellings, the namespace, and a refusal that
// names what podlife models.
func TestParseKubectlLine(t *testing.T) {
	line, err := parseKubectlLine("deployment web -n shop --replicas 3 --force", []string{"--replicas"}, []string{"--force"})
	if err != nil {
		t.Fatal(err)
	}
	want := kubectlLine{positional: []string{"deployment", "web"}, namespace: "shop", flags: map[string]string{"--replicas": "3", "--force": ""}}
	if diff := cmp.Diff(want, line, cmp.AllowUnexported(kubectlLine{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if line, _ := parseKubectlLine("pod/web --namespace=a --grace-period=0", []string{"--grace-period"}, nil); line.namespace != "a" || line.flags["--grace-period"] != "0" {
		t.Errorf("--flag=value spellings: %+v", line)
	}
	if _, err := parseKubectlLine("pod web --wait", []string{"--grace-period"}, []string{"--force"}); err == nil || err.Error() != "podlife models -n, --grace-period, --force, not --wait" {
		t.Errorf("an unmodelled flag: %v", err)
	}
	if _, err := parseKubectlLine("pod web -n", nil, nil); err == nil || err.Error() != "-n needs a value" {
		t.Errorf("a flag without its value: %v", err)
	}
}
