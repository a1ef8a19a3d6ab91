package main

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
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

// The failing-shutdown scenario's page as Chromium draws it for a reader:
// the scenario's text, its hand-offs with their arrows, and its timeline,
// where the failed requests stand out red in the traffic's row.
func TestTheDocsPageShowsAReaderWhenRequestsFailed(t *testing.T) {
	browser := findBrowser(t)
	out := t.TempDir()
	if _, stderr, code := runCLI(t, "docs", "--golden", "../../golden", "../../features/graceful_shutdown.feature", "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	page := filepath.Join(out, "graceful_shutdown.html")
	flags := []string{"--headless", "--no-sandbox", "--disable-gpu", "--force-device-scale-factor=1", "--user-data-dir=" + filepath.Join(out, "profile")}
	dom, err := exec.Command(browser, append(flags, "--dump-dom", "file://"+page)...).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	var failing string
	for _, s := range strings.Split(string(dom), `<section class="scenario" `) {
		if strings.HasPrefix(s, `id="an-application-that-quits-on-sigterm-loses-the-requests-still-routed-to-it"`) {
			failing = s
		}
	}
	if !strings.Contains(failing, `<span class="kw">Scenario:</span> An application that quits on SIGTERM loses the requests still routed to it`) ||
		!strings.Contains(failing, `<span class="kw">And</span> "admin" runs "kubectl delete pod shop-a"`) {
		t.Fatalf("the scenario's text is not on the page:\n%.3000s", failing)
	}
	for _, want := range []string{`<g class="step request">`, `<g class="step watch">`, `<g class="step failed">`, `<g class="mark warning">`, "5 requests failed until 4.530s: no route to host"} {
		if !strings.Contains(failing, want) {
			t.Errorf("the scenario's section lacks %s", want)
		}
	}
	// The timeline alone, drawn: its traffic row must show red.
	svg := regexp.MustCompile(`(?s)<svg class="timeline".*?</svg>`).FindString(failing)
	row := regexp.MustCompile(`<text x="4" y="(\d+)">traffic</text>`).FindStringSubmatch(svg)
	if row == nil {
		t.Fatal("the timeline has no traffic row")
	}
	file := filepath.Join(out, "timeline.html")
	if err := os.WriteFile(file, []byte(`<!DOCTYPE html><html><body style="margin:0">`+svg+`</body></html>`), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(out, "timeline.png")
	if err := exec.Command(browser, append(flags, "--window-size=1100,600", "--screenshot="+shot, "file://"+file)...).Run(); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	y, _ := strconv.Atoi(row[1])
	red := 0
	for py := y - 17; py < y+9; py++ {
		for px := 200; px < img.Bounds().Max.X; px++ {
			r, g, b, _ := img.At(px, py).RGBA()
			if r>>8 > 150 && g>>8 < 60 && b>>8 < 60 {
				red++
			}
		}
	}
	if red < 100 {
		t.Errorf("the traffic row shows %d red pixels: the failed requests are not drawn", red)
	}
}
