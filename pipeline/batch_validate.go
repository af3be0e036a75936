package pipeline

import (
	"context"

	"github.com/vpack-dev/vpack/validate"
)

// ValidateDir returns the ValidateFunc of `vpack batch`: validate.Dir with
// opts on the title's package folder, summarised.
func ValidateDir(opts validate.Options) ValidateFunc {
	return func(ctx context.Context, dir string) (ValidationSummary, error) {
		rep, err := validate.Dir(ctx, dir, opts)
		if err != nil {
			return ValidationSummary{}, err
		}
		s := ValidationSummary{
			Errors:   rep.Count(validate.Error),
			Warnings: rep.Count(validate.Warning),
			Infos:    rep.Count(validate.Info),
			Segments: rep.Stats.Segments,
		}
		for _, sev := range []validate.Severity{validate.Error, validate.Warning} {
			for _, f := range rep.Findings {
				if f.Severity == sev && s.First == "" {
					s.First = f.String()
				}
			}
		}
		return s, nil
	}
}
