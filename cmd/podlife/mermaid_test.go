package main

import (
	"encoding/json"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// mermaidScript is the real Mermaid, installed by `make mermaid` (npm).
const mermaidScript = "../../.cache/mermaid/node_modules/mermaid/dist/mermaid.min.js"

// Every Mermaid diagram the project emits (each scenario's hand-offs in
// the docs, and apply -o mermaid) parses and renders with the real
// Mermaid in headless Chromium, and the rendered diagram shows every
// arrow's and note's own text. CI installs both and sets
// PODLIFE_REQUIRE_BROWSER; elsewhere the test is skipped, with a notice,
// when either is missing.
func TestEveryMermaidDiagramRendersWithTheRealMermaid(t *testing.T) {
	browser, script := browserAndMermaid(t)
	out := t.TempDir()
	if _, stderr, code := runCLI(t, "docs", "--golden", "../../golden", "-o", out, "../../features"); code != 0 {
		t.Fatalf("podlife docs: exit %d: %s", code, stderr)
	}
	var diagrams []string
	pages, _ := filepath.Glob(filepath.Join(out, "*.md"))
	fence := regexp.MustCompile("(?s)```mermaid\n(.*?)```")
	for _, p := range pages {
		md, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range fence.FindAllStringSubmatch(string(md), -1) {
			diagrams = append(diagrams, m[1])
		}
	}
	if len(diagrams) < 100 {
		t.Fatalf("%d diagrams in the docs, want one per scenario", len(diagrams))
	}
	applied, _, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", podDemo, "-o", "mermaid")
	if code != 0 {
		t.Fatalf("apply -o mermaid: exit %d", code)
	}
	diagrams = append(diagrams, applied)

	rendered := renderMermaid(t, browser, script, diagrams)
	checked := 0
	for i, d := range diagrams {
		r := rendered[i]
		if r.Error != "" {
			t.Errorf("Mermaid refused diagram %d: %s\n%s", i, r.Error, d)
			continue
		}
		shown := map[string]bool{}
		for _, text := range append(r.Messages, r.Notes...) {
			shown[strings.TrimSpace(text)] = true
		}
		for _, want := range stepTexts(d) {
			checked++
			if !shown[want] {
				t.Errorf("diagram %d does not show %q (it shows %d messages and %d notes)", i, want, len(r.Messages), len(r.Notes))
				break
			}
		}
		if len(r.Actors) == 0 {
			t.Errorf("diagram %d has no participants", i)
		}
	}
	t.Logf("%d diagrams rendered, %d arrows and notes found in them", len(diagrams), checked)
}

// stepTexts are the texts a diagram's arrows and notes carry.
func stepTexts(diagram string) []string {
	var texts []string
	step := regexp.MustCompile(`^    (?:Note over p\d+|p\d+(?:->>|-->>|--\)|-x)p\d+): (.*)$`)
	for _, line := range strings.Split(diagram, "\n") {
		if m := step.FindStringSubmatch(line); m != nil {
			texts = append(texts, strings.TrimSpace(m[1]))
		}
	}
	return texts
}

type mermaidResult struct {
	Error    string   `json:"error"`
	Actors   []string `json:"actors"`
	Messages []string `json:"messages"`
	Notes    []string `json:"notes"`
}

// renderMermaid renders each diagram in one page and reads back what
// Mermaid drew: the text of every participant, message and note.
func renderMermaid(t *testing.T, browser, script string, diagrams []string) []mermaidResult {
	t.Helper()
	data, err := json.Marshal(diagrams)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "mermaid.html")
	src := `<!DOCTYPE html><html><head><meta charset="utf-8"><script src="file://` + html.EscapeString(script) + `"></script></head><body>
<pre id="result">pending</pre>
<script type="application/json" id="diagrams">` + strings.ReplaceAll(string(data), "</", `<\/`) + `</script>
<script>
(async () => {
  const texts = (svg, selector) => Array.from(svg.querySelectorAll(selector), e => e.textContent);
  const out = [];
  try {
    mermaid.initialize({startOnLoad: false, securityLevel: "strict", sequence: {wrap: false}});
    const diagrams = JSON.parse(document.getElementById("diagrams").textContent);
    for (let i = 0; i < diagrams.length; i++) {
      try {
        const {svg} = await mermaid.render("d" + i, diagrams[i]);
        const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
        out.push({actors: texts(doc, "text.actor"), messages: texts(doc, "text.messageText"), notes: texts(doc, "text.noteText")});
      } catch (e) {
        out.push({error: String(e && e.message || e)});
      }
    }
    document.getElementById("result").textContent = JSON.stringify(out);
  } catch (e) {
    document.getElementById("result").textContent = "failed: " + e;
  }
})();
</script></body></html>`
	if err := os.WriteFile(page, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	flags := []string{"--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
		"--virtual-time-budget=600000", "--user-data-dir=" + filepath.Join(dir, "profile"), "--dump-dom", "file://" + page}
	dom, err := exec.Command(browser, flags...).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	m := regexp.MustCompile(`(?s)<pre id="result">(.*?)</pre>`).FindSubmatch(dom)
	if m == nil {
		t.Fatalf("no result in the page:\n%.2000s", dom)
	}
	var results []mermaidResult
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &results); err != nil {
		t.Fatalf("Mermaid did not finish (%v): %.500s", err, m[1])
	}
	if len(results) != len(diagrams) {
		t.Fatalf("%d results for %d diagrams", len(results), len(diagrams))
	}
	return results
}

// browserAndMermaid finds Chromium and the real Mermaid, or skips.
func browserAndMermaid(t *testing.T) (browser, script string) {
	t.Helper()
	browser = findBrowser(t)
	script, err := filepath.Abs(mermaidScript)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(script); err != nil {
		missing(t, "Mermaid (make mermaid)")
	}
	return browser, script
}

// findBrowser finds Chromium, or skips.
func findBrowser(t *testing.T) string {
	t.Helper()
	browser, err := exec.LookPath("chromium")
	if err != nil {
		missing(t, "chromium")
	}
	return browser
}

// missing fails where CI requires the browser tests, and skips elsewhere
// with a notice.
func missing(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("PODLIFE_REQUIRE_BROWSER") != "" {
		t.Fatalf("%s is required (PODLIFE_REQUIRE_BROWSER is set) but not installed", what)
	}
	fmt.Fprintf(os.Stderr, "notice: %s is not installed: the docs are not checked in a browser\n", what)
	t.Skipf("no %s on this machine", what)
}
