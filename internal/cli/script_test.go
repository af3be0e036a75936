package cli_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/vpack-dev/vpack/internal/cli"
)

var update = flag.Bool("update", false, "rewrite testscript expectations (cmp) in testdata/script")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"vpack":        func() { os.Exit(cli.Main()) },
		"fake-ffprobe": fakeTool,
		"fake-ffmpeg":  fakeTool,
	})
}

// TestScripts runs the end-to-end CLI scripts in testdata/script. Scripts
// that need the real ffmpeg start with `[!exec:ffmpeg] skip` (and CI sets
// VPACK_REQUIRE_FFMPEG=1, which turns that skip into a failure).
func TestScripts(t *testing.T) {
	if os.Getenv("VPACK_REQUIRE_FFMPEG") == "1" {
		for _, tool := range []string{"ffmpeg", "ffprobe"} {
			if _, err := exec.LookPath(tool); err != nil {
				t.Fatalf("VPACK_REQUIRE_FFMPEG=1 but %s is not on PATH", tool)
			}
		}
	}
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("FIXTURES", mustAbs("testdata/fake"))
			// testscript puts the registered commands (vpack, fake-*) first
			// on PATH; scripts that empty PATH keep them through $CMDBIN.
			env.Setenv("CMDBIN", strings.SplitN(env.Getenv("PATH"), string(os.PathListSeparator), 2)[0])
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode":    cmdExitCode,
			"noleftovers": cmdNoLeftovers,
		},
	})
}

// cmdExitCode runs `exitcode N prog args...` and fails unless prog exits
// with status N; its stdout and stderr are kept for the next commands.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// cmdNoLeftovers fails if dir holds a vpack work folder (.vpack-tmp-*):
// a failed or interrupted run must clean up after itself.
func cmdNoLeftovers(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: noleftovers dir")
	}
	entries, err := os.ReadDir(ts.MkAbs(args[0]))
	ts.Check(err)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".vpack-tmp-") {
			ts.Fatalf("work folder left behind: %s", e.Name())
		}
	}
}

// fakeTool stands in for ffprobe/ffmpeg: FAKE_STDOUT_FILE is copied to
// stdout, FAKE_STDERR printed to stderr, and it exits with FAKE_EXIT.
func fakeTool() {
	if p := os.Getenv("FAKE_STDOUT_FILE"); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(99)
		}
		os.Stdout.Write(b)
	}
	if s := os.Getenv("FAKE_STDERR"); s != "" {
		fmt.Fprintln(os.Stderr, s)
	}
	code, _ := strconv.Atoi(os.Getenv("FAKE_EXIT"))
	os.Exit(code)
}

func mustAbs(p string) string {
	abs, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return abs + "/" + p
}
