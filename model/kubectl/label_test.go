package kubectl

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// kubectl label's rules and words (k8s.io/kubectl/pkg/cmd/label/label.go),
// checked against what a real v1.37.2 kubectl printed for the same labels.
func TestRelabelFollowsKubectlLabel(t *testing.T) {
	current := map[string]string{"zone": "a", "app": "web"}
	for _, tc := range []struct {
		specs     []string
		overwrite bool
		want      Relabelling
		err       string
	}{
		{specs: []string{"disktype=ssd"}, want: Relabelling{Patch: []byte(`{"metadata":{"labels":{"disktype":"ssd"}}}`), Word: "labeled"}},
		{specs: []string{"zone=a"}, want: Relabelling{Word: "not labeled"}},
		{specs: []string{"zone=b"}, err: "'zone' already has a value (a), and --overwrite is false"},
		{specs: []string{"zone=b"}, overwrite: true, want: Relabelling{Patch: []byte(`{"metadata":{"labels":{"zone":"b"}}}`), Word: "labeled"}},
		{specs: []string{"zone-", "rack-"}, want: Relabelling{Patch: []byte(`{"metadata":{"labels":{"zone":null}}}`), Word: "unlabeled", NotFound: []string{`label "rack" not found.`}}},
		{specs: []string{"tier=db", "app-"}, want: Relabelling{Patch: []byte(`{"metadata":{"labels":{"app":null,"tier":"db"}}}`), Word: "modified"}},
		{specs: []string{"rack-"}, want: Relabelling{Word: "not labeled", NotFound: []string{`label "rack" not found.`}}},
		{specs: []string{"a=b=c"}, err: "invalid label spec: a=b=c"},
		{specs: []string{"zone=a", "zone-"}, err: "can not both modify and remove a label in the same command"},
		{specs: []string{"tier=front end"}, err: `invalid label value: "tier=front end": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`},
	} {
		set, remove, err := ParseLabels(tc.specs)
		var got Relabelling
		if err == nil {
			got, err = Relabel(current, set, remove, tc.overwrite)
		}
		if err != nil || tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%v: error %v, want %q", tc.specs, err, tc.err)
			}
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%v (overwrite %v) (-want +got):\n%s", tc.specs, tc.overwrite, diff)
		}
	}
}
