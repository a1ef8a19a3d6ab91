//go:build unix

package model

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used, every thread's user
// and system time: the garbage collector's work on other cores included,
// which a benchmark's wall time leaves out.
func processCPU() (time.Duration, bool) {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0, false
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano()), true
}
