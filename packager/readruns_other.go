//go:build !linux

package packager

// iovecs is only used by preadv on Linux.
type iovecs = struct{}

// readRuns reads each run of the source into its destination with a
// pread per run (Linux batches them with preadv).
func (c *copier) readRuns(runs []run, dsts [][]byte) error {
	for i, r := range runs {
		if err := c.readAt(dsts[i], r.off); err != nil {
			return err
		}
	}
	return nil
}
