package main

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// skippedInSummary corrects godog's summary line for the scenarios a
// cluster skipped whole (those that need the model): godog counts a
// scenario whose steps were all skipped as passed, so "3 scenarios (3
// passed)" becomes "3 scenarios (1 passed, 2 skipped)". Everything else
// goes through as written, a line at a time (godog's colour writers write
// a rune at a time); Flush writes what is left of the last line.
type skippedInSummary struct {
	w       io.Writer
	plain   bool
	skipped int
	line    []byte
}

func (s *skippedInSummary) Write(p []byte) (int, error) {
	for _, b := range p {
		s.line = append(s.line, b)
		if b == '\n' {
			if err := s.writeLine(s.line); err != nil {
				return 0, err
			}
			s.line = s.line[:0]
		}
	}
	return len(p), nil
}

// Flush writes a last line without its end.
func (s *skippedInSummary) Flush() error {
	_, err := s.w.Write(s.line)
	s.line = s.line[:0]
	return err
}

// summaryLine is godog's "N scenarios (...)" line, its passed count green
// unless colours are off.
var summaryLine = regexp.MustCompile(`^(\d+ scenarios \()(?:(\x1b\[32m)?(\d+) passed(\x1b\[0m)?)?(.*)\)\n$`)

func (s *skippedInSummary) writeLine(p []byte) error {
	m := summaryLine.FindSubmatch(p)
	if m == nil || s.skipped == 0 {
		_, err := s.w.Write(p)
		return err
	}
	passed, _ := strconv.Atoi(string(m[3]))
	var parts []string
	if n := passed - s.skipped; n > 0 {
		parts = append(parts, string(m[2])+strconv.Itoa(n)+" passed"+string(m[4]))
	}
	if rest := strings.TrimPrefix(string(m[5]), ", "); rest != "" {
		parts = append(parts, rest)
	}
	skipped := fmt.Sprintf("%d skipped", s.skipped)
	if !s.plain {
		skipped = "\x1b[36m" + skipped + "\x1b[0m"
	}
	line := string(m[1]) + strings.Join(append(parts, skipped), ", ") + ")\n"
	_, err := io.WriteString(s.w, line)
	return err
}
