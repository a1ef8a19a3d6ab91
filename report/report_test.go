package report

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/podlife/podlife/model/trace"
)

func sample() []Scenario {
	events := []trace.Event{
		{Seq: 1, Time: 0, Component: "kubectl", Action: "request", Object: "pod/default/web", Message: "POST /api/v1/namespaces/default/pods as \"admin\""},
		{Seq: 2, Time: 17, Component: "kube-scheduler", Action: "bind", Object: "pod/default/web", Type: trace.Normal, Reason: "Scheduled", Message: "Successfully assigned default/web to node01"},
		{Seq: 3, Time: 2392, Component: "kubelet/node01", Action: "pull-image", Object: "pod/default/web{nginx}", Type: trace.Warning, Reason: "Failed", Message: "Error: </script><b>x</b>"},
	}
	return []Scenario{NewScenario("passes", events, ""), NewScenario("fails", events[:1], "the trace differs: -a\n+b")}
}

func TestTheReportIsOneSelfContainedPage(t *testing.T) {
	page, err := HTML("demo", sample())
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`(?i)(src|href)=|https?://`).Match(page) {
		t.Error("the page refers to something outside itself")
	}
	// A message cannot end the data script early.
	if bytes.Count(page, []byte("</script>")) != 2 {
		t.Errorf("the page has %d </script> tags, want 2", bytes.Count(page, []byte("</script>")))
	}
}

// The page renders in headless Chromium: every event becomes a marker in
// its component's lane, and a screenshot is taken. CI installs Chromium
// and sets PODLIFE_REQUIRE_BROWSER; elsewhere the test is skipped when
// there is no browser.
func TestTheReportRendersInHeadlessChromium(t *testing.T) {
	browser, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("PODLIFE_REQUIRE_BROWSER") != "" {
			t.Fatal("chromium is required (PODLIFE_REQUIRE_BROWSER is set) but not installed")
		}
		t.Skip("no chromium on this machine")
	}
	page, err := HTML("demo", sample())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	flags := []string{"--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + filepath.Join(dir, "profile")}
	dom, err := exec.Command(browser, append(flags, "--dump-dom", "file://"+file)...).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	if !strings.Contains(string(dom), `data-rendered="4"`) {
		t.Errorf("the timeline did not render its 4 events:\n%s", dom)
	}
	if got := strings.Count(string(dom), `class="lane"`); got != 4 {
		t.Errorf("%d lanes, want 4 (3 components, then 1)", got)
	}
	if !strings.Contains(string(dom), "FAILED: fails") || !strings.Contains(string(dom), "the trace differs") {
		t.Error("the failed scenario and its error are not shown")
	}
	shot := filepath.Join(dir, "report.png")
	if err := exec.Command(browser, append(flags, "--window-size=1200,800", "--screenshot="+shot, "file://"+file)...).Run(); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if info, err := os.Stat(shot); err != nil || info.Size() < 1000 {
		t.Fatalf("no screenshot: %v", err)
	}
}
