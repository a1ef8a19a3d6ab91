package controllers

import (
	"slices"
	"testing"
)

// indexed_job_utils.go orderedIntervals.String: runs of three or more as
// first-last, pairs as two numbers.
func TestCompletedIndexesAreWrittenAsTheJobControllerWritesThem(t *testing.T) {
	for _, tc := range []struct {
		in   []int
		want string
	}{
		{nil, ""}, {[]int{0}, "0"}, {[]int{0, 1}, "0,1"}, {[]int{0, 1, 2}, "0-2"},
		{[]int{0, 2, 3, 4, 7, 8}, "0,2-4,7,8"},
	} {
		if got := formatIndexes(tc.in); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.in, got, tc.want)
		}
		if got := parseIndexes(tc.want, 1000); !slices.Equal(got, tc.in) {
			t.Errorf("%q read back as %v, want %v", tc.want, got, tc.in)
		}
	}
}
