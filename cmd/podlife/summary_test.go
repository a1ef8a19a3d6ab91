package main

import (
	"strings"
	"testing"
)

// godog counts a scenario whose steps were all skipped as passed; on a
// cluster, podlife run says how many were skipped instead.
func TestTheSummaryCountsScenariosSkippedOnAClusterAsSkipped(t *testing.T) {
	for _, tc := range []struct {
		plain   bool
		skipped int
		in      string
		want    string
	}{
		{true, 3, "3 scenarios (3 passed)\n", "3 scenarios (3 skipped)\n"},
		{true, 2, "5 scenarios (4 passed, 1 failed)\n", "5 scenarios (2 passed, 1 failed, 2 skipped)\n"},
		{true, 0, "5 scenarios (5 passed)\n", "5 scenarios (5 passed)\n"},
		{false, 1, "2 scenarios (\x1b[32m2 passed\x1b[0m)\n", "2 scenarios (\x1b[32m1 passed\x1b[0m, \x1b[36m1 skipped\x1b[0m)\n"},
		{true, 1, "30 steps (30 skipped)\nelapsed", "30 steps (30 skipped)\nelapsed"},
	} {
		var out strings.Builder
		s := &skippedInSummary{w: &out, plain: tc.plain, skipped: tc.skipped}
		for _, r := range tc.in { // as godog's colour writers write
			if _, err := s.Write([]byte(string(r))); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Flush(); err != nil {
			t.Fatal(err)
		}
		if out.String() != tc.want {
			t.Errorf("%q with %d skipped:\n got %q\nwant %q", tc.in, tc.skipped, out.String(), tc.want)
		}
	}
}
