// Package pipeline composes vpack's stages for `vpack encode` (probe →
// ladder → encode → package → manifests), `vpack package` (package →
// manifests) and `vpack batch` (Batch: every title of a folder through
// Encode, validated and optionally pushed, sharded, resumable and isolated
// per title). It owns the order of the stage calls and the output folder's
// safety (work in a temporary folder, rename into place when complete); the
// stages own everything else.
//
//	res, err := pipeline.Encode(ctx, encode.NewExecRunner(log), pipeline.EncodeConfig{
//		Input: "movie.mov", Output: "out", Ladder: "apple-h264",
//	})
package pipeline
