package cmdutil

import "github.com/spf13/cobra"

// ExactArgs is cobra.ExactArgs returning a *FlagError with a message that
// says what was expected, so a wrong argument count exits 2 with usage.
func ExactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return FlagErrorf("%s: expected %s, got %d argument(s)", cmd.CommandPath(), what, len(args))
		}
		return nil
	}
}

// MinimumArgs is cobra.MinimumNArgs returning a *FlagError.
func MinimumArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return FlagErrorf("%s: expected %s", cmd.CommandPath(), what)
		}
		return nil
	}
}
