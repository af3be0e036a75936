package manifest

import "errors"

// ErrUnsupported is wrapped by errors about input that is valid but that
// vpack's model or writers cannot hold: live playlists, multi-period MPDs,
// SegmentList, MPEG-TS segments, a Presentation without video for HLS.
var ErrUnsupported = errors.New("unsupported")

// ErrInvalid is wrapped by WriteHLS and WriteDASH errors about a
// Presentation that breaks the model's contract (missing URIs, zero
// timescale, duplicate IDs); the caller has a bug to fix.
var ErrInvalid = errors.New("invalid presentation")
