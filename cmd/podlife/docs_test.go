package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDocsWritesAPagePerFeatureWithWhatFailedAndWhy(t *testing.T) {
	out := t.TempDir()
	stdout, stderr, code := runCLI(t, "docs", "--golden", "../../golden", "../../features/graceful_shutdown.feature", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s\n%s", code, stderr, stdout)
	}
	md, err := os.ReadFile(filepath.Join(out, "graceful_shutdown.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"## An application that quits on SIGTERM loses the requests still routed to it (passed)",
		"**Traffic:** 60 requests, 5 failed: 55 ok, 5 unreachable.",
		"(pod default/shop-a): no route to host",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("graceful_shutdown.md lacks %q", want)
		}
	}
	for _, f := range []string{"index.md", "index.html", "graceful_shutdown.html", "graceful_shutdown.timeline.html"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	if _, _, code := runCLI(t, "docs", "../../features/graceful_shutdown.feature"); code == 0 {
		t.Error("docs without -o succeeded")
	}
}
