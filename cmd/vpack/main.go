// Command vpack turns a mezzanine file into a streaming-ready package.
// Everything lives in internal/cli; main only exits with its code.
package main

import (
	"os"

	"github.com/vpack-dev/vpack/internal/cli"
)

func main() { os.Exit(cli.Main()) }
