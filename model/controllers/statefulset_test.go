package controllers

import (
	"regexp"
	"strconv"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ordinalOf splits a pod's name as stateful_set_utils.go's
// statefulPodRegex, "(.*)-([0-9]+)$", does, without the regular
// expression: same parent and ordinal for every name.
func TestOrdinalOfReadsNamesAsTheControllersRegex(t *testing.T) {
	re := regexp.MustCompile("(.*)-([0-9]+)$")
	for _, name := range []string{"web-0", "web-12", "my-db-3", "web-", "web", "-7", "web-0a", "web-a0", "a-1b-2", "web--4",
		"web-99999999999", "web-007", "0", "x-1-2-3"} {
		wantParent, wantOrd := "", -1
		if m := re.FindStringSubmatch(name); m != nil {
			wantParent = m[1]
			if i, err := strconv.ParseInt(m[2], 10, 32); err == nil {
				wantOrd = int(i)
			}
		}
		parent, ord := ordinalOf(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}})
		if parent != wantParent || ord != wantOrd {
			t.Errorf("ordinalOf(%q) = %q, %d; statefulPodRegex reads %q, %d", name, parent, ord, wantParent, wantOrd)
		}
	}
}
