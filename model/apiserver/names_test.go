package apiserver

import "testing"

// 160,000 names generated for one prefix, each drawn again while taken, as
// generateName draws them: every one finds a free name within the API
// server's eight attempts. (The first draws alone repeat about 1,100 names,
// as random suffixes would; drawn again from the same FNV hash, runs of
// neighbouring seeds collided together and left some pods without a name.)
func TestGeneratedNamesAreFoundWithinEightAttempts(t *testing.T) {
	taken := map[string]bool{}
	var g nameGenerator
	retried := 0
	for range 160_000 {
		seed := g.next("default/web-78fddf5b89-")
		name := Suffix(seed)
		for attempt := 1; taken[name]; attempt++ {
			if attempt == maxNameGenerationCreateAttempts {
				t.Fatalf("%s: eight names taken in a row", seed)
			}
			retried++
			name = RetrySuffix(seed, attempt)
		}
		taken[name] = true
	}
	if retried < 500 {
		t.Errorf("%d names drawn again: the test no longer meets collisions", retried)
	}
}
