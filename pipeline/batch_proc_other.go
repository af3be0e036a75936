//go:build !unix

package pipeline

import "time"

// processAlive cannot tell on this platform: leases of dead workers are
// freed by their age only.
func processAlive(pid int) bool { return true }

// childCPU is not measured on this platform.
func childCPU() time.Duration { return 0 }
