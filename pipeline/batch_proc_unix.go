//go:build unix

package pipeline

import (
	"errors"
	"syscall"
	"time"
)

// processAlive reports whether a process with this ID exists on this host
// (signal 0 checks without sending anything; EPERM means it exists but
// belongs to someone else).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// childCPU is the CPU time (user + system) of every waited-for child
// process so far: ffmpeg and ffprobe.
func childCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
