package batchcmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/pipeline"
)

// deployDir holds the job-engine examples the README points to.
const deployDir = "../../../deploy"

// globalFlags are the root command's persistent flags (internal/cli).
var globalFlags = map[string]bool{"log-level": true, "log-format": true, "quiet": true, "q": true, "json": true, "debug": true}

// envRead are the environment variables vpack reads, besides ShardEnv.
var envRead = []string{"VPACK_FFMPEG", "VPACK_FFPROBE"}

// example is one deploy file, parsed.
type example struct {
	path string
	docs []any
	cmds [][]string        // argument lists after "vpack"
	env  map[string]string // name: value, from env/environment lists
}

func loadExamples(t *testing.T) map[string]*example {
	t.Helper()
	var files []string
	for _, pat := range []string{"*/*.yaml", "*/*.yml"} {
		m, err := filepath.Glob(filepath.Join(deployDir, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	out := make(map[string]*example)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := parseYAML(string(data))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		ex := &example{path: f, docs: docs, env: make(map[string]string)}
		for _, d := range docs {
			ex.walk(d)
		}
		rel, _ := filepath.Rel(deployDir, f)
		out[filepath.ToSlash(rel)] = ex
	}
	return out
}

var scriptCmd = regexp.MustCompile(`\bvpack\s+(batch\b[^\n;&|]*)`)

// walk collects vpack commands and environment variables.
func (ex *example) walk(v any) {
	switch v := v.(type) {
	case map[string]any:
		// command: [vpack] + args: [...] (Kubernetes), or command: [vpack, ...] (AWS Batch)
		if cmd := strings1(v["command"]); len(cmd) > 0 && cmd[0] == "vpack" {
			ex.cmds = append(ex.cmds, append(cmd[1:], strings1(v["args"])...))
		}
		for _, k := range []string{"env", "environment"} {
			if list, ok := v[k].([]any); ok {
				for _, e := range list {
					if m, ok := e.(map[string]any); ok {
						name, _ := m["name"].(string)
						value, _ := m["value"].(string)
						ex.env[name] = value
					}
				}
			}
		}
		for _, c := range v {
			ex.walk(c)
		}
	case []any:
		for _, c := range v {
			ex.walk(c)
		}
	case string:
		s := strings.ReplaceAll(v, "\\\n", " ")
		for _, m := range scriptCmd.FindAllStringSubmatch(s, -1) {
			ex.cmds = append(ex.cmds, strings.Fields(m[1]))
		}
	}
}

func strings1(v any) []string {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	var out []string
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil
		}
		out = append(out, s)
	}
	return out
}

// dig follows keys through nested maps.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// parseBatch runs argv (after "vpack") through NewCmdBatch with env as the
// environment and returns the options, the global flags dropped.
func parseBatch(t *testing.T, argv []string, env map[string]string) (*BatchOptions, error) {
	t.Helper()
	if len(argv) == 0 || argv[0] != "batch" {
		return nil, fmt.Errorf("not a vpack batch command: %q", argv)
	}
	var args []string
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		name := strings.TrimLeft(a, "-")
		name, _, hasValue := strings.Cut(name, "=")
		if strings.HasPrefix(a, "-") && globalFlags[name] {
			if !hasValue && (name == "log-level" || name == "log-format") {
				i++
			}
			continue
		}
		args = append(args, a)
	}
	for _, k := range ShardEnv {
		t.Setenv(k, env[k])
	}
	ios, _, _, _ := cmdutil.Test()
	var got *BatchOptions
	cmd := NewCmdBatch(cmdutil.New(ios), func(_ context.Context, o *BatchOptions) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	return got, cmd.Execute()
}

// The deploy examples parse, run vpack batch with flags it has, set the
// environment variables it reads, and give every worker its own shard.
func TestDeployExamples(t *testing.T) {
	exs := loadExamples(t)
	want := []string{"aws-batch/job-definition.yaml", "aws-batch/submit-job.yaml", "ci/github-actions.yml",
		"ci/gitlab-ci.yml", "kubernetes/indexed-job-s3.yaml", "kubernetes/indexed-job-volume.yaml"}
	for _, w := range want {
		if exs[w] == nil {
			t.Fatalf("missing deploy example %s (have %v)", w, exs)
		}
	}
	known := append(slices.Clone(ShardEnv), envRead...)
	for name, ex := range exs {
		for k := range ex.env {
			if (strings.HasPrefix(k, "VPACK_") || strings.Contains(k, "INDEX") || strings.Contains(k, "NODE_TOTAL")) && !slices.Contains(known, k) {
				t.Errorf("%s sets %s, which vpack does not read (it reads %v)", name, k, known)
			}
		}
		if name == "aws-batch/submit-job.yaml" {
			continue // the job definition holds the command
		}
		if len(ex.cmds) == 0 {
			t.Errorf("%s runs no vpack batch command", name)
		}
	}

	// shardsOf runs an example's command as each of total workers, with
	// env(k) giving worker k's environment and flag(k) its command line.
	shardsOf := func(name string, total int, argv func(k int) []string, env func(k int) map[string]string) {
		t.Helper()
		seen := make(map[pipeline.Shard]bool)
		for k := 1; k <= total; k++ {
			o, err := parseBatch(t, argv(k), env(k))
			if err != nil {
				t.Errorf("%s, worker %d: %v", name, k, err)
				return
			}
			if o.Shard.Total != total || seen[o.Shard] {
				t.Errorf("%s, worker %d: shard %+v (from %q), want one of %d distinct shards", name, k, o.Shard, o.ShardFrom, total)
			}
			seen[o.Shard] = true
		}
	}
	atoi := func(name string, v any) int {
		s, _ := v.(string)
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("%s: %q is not a positive count", name, s)
		}
		return n
	}

	// Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX 0..completions-1 and
	// VPACK_SHARD_TOTAL = completions.
	for _, name := range []string{"kubernetes/indexed-job-volume.yaml", "kubernetes/indexed-job-s3.yaml"} {
		ex := exs[name]
		job := ex.docs[0]
		if dig(job, "kind") != "Job" || dig(job, "spec", "completionMode") != "Indexed" {
			t.Errorf("%s: want a Job with completionMode Indexed", name)
		}
		n := atoi(name, dig(job, "spec", "completions"))
		if ex.env[EnvShardTotal] != strconv.Itoa(n) {
			t.Errorf("%s: %s = %q, want completions (%d)", name, EnvShardTotal, ex.env[EnvShardTotal], n)
		}
		shardsOf(name, n, func(int) []string { return ex.cmds[0] }, func(k int) map[string]string {
			return map[string]string{EnvK8sIndex: strconv.Itoa(k - 1), EnvShardTotal: ex.env[EnvShardTotal]}
		})
	}

	// AWS Batch array job: AWS_BATCH_JOB_ARRAY_INDEX 0..size-1 and
	// VPACK_SHARD_TOTAL = size (set at submission).
	{
		def, sub := exs["aws-batch/job-definition.yaml"], exs["aws-batch/submit-job.yaml"]
		n := atoi("submit-job", dig(sub.docs[0], "arrayProperties", "size"))
		if sub.env[EnvShardTotal] != strconv.Itoa(n) {
			t.Errorf("submit-job: %s = %q, want the array size (%d)", EnvShardTotal, sub.env[EnvShardTotal], n)
		}
		shardsOf("aws-batch", n, func(int) []string { return def.cmds[0] }, func(k int) map[string]string {
			return map[string]string{EnvAWSBatchIndex: strconv.Itoa(k - 1), EnvShardTotal: sub.env[EnvShardTotal]}
		})
	}

	// GitHub Actions matrix: --shard ${{ matrix.shard }}/N for shard in 1..N.
	{
		ex := exs["ci/github-actions.yml"]
		values := dig(ex.docs[0], "jobs", "batch", "strategy", "matrix", "shard")
		list, _ := values.([]any)
		if len(list) == 0 {
			t.Fatalf("github-actions: no matrix.shard list")
		}
		for i, v := range list {
			if v != strconv.Itoa(i+1) {
				t.Errorf("github-actions: matrix.shard = %v, want 1..%d", list, len(list))
			}
		}
		shardsOf("github-actions", len(list), func(k int) []string {
			var out []string
			for _, a := range ex.cmds[0] {
				out = append(out, strings.ReplaceAll(a, "${{ matrix.shard }}", strconv.Itoa(k)))
			}
			// ${{ matrix.shard }} splits into three fields: join them back
			return rejoin(out, strconv.Itoa(k))
		}, func(int) map[string]string { return nil })
	}

	// GitLab CI parallel: GitLab sets CI_NODE_INDEX 1..N and CI_NODE_TOTAL.
	{
		ex := exs["ci/gitlab-ci.yml"]
		n := atoi("gitlab-ci", dig(ex.docs[0], "package-mezzanines", "parallel"))
		shardsOf("gitlab-ci", n, func(int) []string { return ex.cmds[0] }, func(k int) map[string]string {
			return map[string]string{EnvCINodeIndex: strconv.Itoa(k), EnvCINodeTotal: strconv.Itoa(n)}
		})
	}
}

// rejoin undoes strings.Fields on "${{ matrix.shard }}/4": the fields
// "${{", "matrix.shard", "}}/4" became "${{", "matrix.shard", "}}/4" with
// the value substituted only when whole; put the value in.
func rejoin(fields []string, value string) []string {
	var out []string
	for i := 0; i < len(fields); i++ {
		if fields[i] == "${{" && i+2 < len(fields) && fields[i+1] == "matrix.shard" && strings.HasPrefix(fields[i+2], "}}") {
			out = append(out, value+strings.TrimPrefix(fields[i+2], "}}"))
			i += 2
			continue
		}
		out = append(out, fields[i])
	}
	return out
}
