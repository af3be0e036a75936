// Package pipeline composes vpack's stages for `vpack encode` (and later
// `vpack batch`): probe → ladder → encode (→ package → manifests). It owns
// the order of the stage calls and the output folder's safety (work in a
// temporary folder, rename into place when complete); the stages own
// everything else.
//
//	res, err := pipeline.Encode(ctx, encode.NewExecRunner(log), pipeline.EncodeConfig{
//		Input: "movie.mov", Output: "out", Ladder: "apple-h264",
//	})
package pipeline
