package batchcmd

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/pipeline"
)

// clearShardEnv hides the CI's own shard variables from a test.
func clearShardEnv(t *testing.T) {
	t.Helper()
	for _, k := range ShardEnv {
		t.Setenv(k, "")
	}
}

func TestNewCmdBatch(t *testing.T) {
	defaults := BatchOptions{Input: "mez", Output: "out", LeaseTTL: pipeline.DefaultLeaseTTL, Ladder: "apple-h264",
		Preset: "medium", SegmentDuration: 4 * time.Second, AudioCodec: "aac", Surround: "none"}
	with := func(f func(o *BatchOptions)) BatchOptions {
		o := defaults
		f(&o)
		return o
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    BatchOptions
		wantErr string
	}{
		{name: "defaults", args: []string{"mez", "-o", "out"}, want: defaults},
		{
			name: "everything",
			args: []string{"mez", "--output", "out", "--jobs", "2", "--threads", "3", "--shard", "3/8",
				"--include", "*.mxf", "--include", "shows/**", "--exclude", "trailers/**",
				"--report", "r-{shard}.json", "--junit", "r.xml", "--push", "s3://bucket/vod", "--no-validate",
				"--lease-ttl", "5m", "--ladder", "l.json", "--codec", "hevc", "--preset", "ultrafast",
				"--segment-duration", "2s", "--audio-codec", "opus", "--surround", "eac3", "--keep-renditions", "--hls-only"},
			want: with(func(o *BatchOptions) {
				o.Jobs, o.Threads = 2, 3
				o.ShardFlag, o.Shard, o.ShardFrom = "3/8", pipeline.Shard{Index: 3, Total: 8}, "--shard"
				o.Include, o.Exclude = []string{"*.mxf", "shows/**"}, []string{"trailers/**"}
				o.Report, o.JUnit, o.Push, o.NoValidate = "r-{shard}.json", "r.xml", "s3://bucket/vod", true
				o.LeaseTTL, o.Ladder, o.Codec, o.Preset = 5*time.Minute, "l.json", "hevc", "ultrafast"
				o.SegmentDuration, o.AudioCodec, o.Surround, o.KeepRenditions = 2*time.Second, "opus", "eac3", true
				o.Package.HLSOnly = true
			}),
		},
		{
			name: "shard from a Kubernetes Indexed Job", args: []string{"mez", "-o", "out"},
			env:  map[string]string{EnvK8sIndex: "0", EnvShardTotal: "4"},
			want: with(func(o *BatchOptions) { o.Shard, o.ShardFrom = pipeline.Shard{Index: 1, Total: 4}, EnvK8sIndex }),
		},
		{
			name: "--shard beats the environment", args: []string{"mez", "-o", "out", "--shard", "1/1"},
			env: map[string]string{EnvCINodeIndex: "2", EnvCINodeTotal: "3"},
			want: with(func(o *BatchOptions) {
				o.ShardFlag, o.Shard, o.ShardFrom = "1/1", pipeline.Shard{Index: 1, Total: 1}, "--shard"
			}),
		},
		{name: "no output", args: []string{"mez"}, wantErr: "--output (-o) is required"},
		{name: "output is input", args: []string{"mez", "-o", "mez/"}, wantErr: "--output must not be the mezzanine folder"},
		{name: "two folders", args: []string{"a", "b", "-o", "o"}, wantErr: "expected one mezzanine folder, got 2 argument(s)"},
		{name: "bad shard", args: []string{"mez", "-o", "o", "--shard", "4/3"}, wantErr: "--shard: bad shard 4/3"},
		{name: "bad jobs", args: []string{"mez", "-o", "o", "--jobs", "-1"}, wantErr: "--jobs must be between 0 (auto) and 256"},
		{name: "bad push", args: []string{"mez", "-o", "o", "--push", "bucket/vod"}, wantErr: "--push must be a URL"},
		{name: "bad preset", args: []string{"mez", "-o", "o", "--preset", "placebo"}, wantErr: "--preset must be one of"},
		{name: "bad glob", args: []string{"mez", "-o", "o", "--exclude", "[ab"}, wantErr: `--include/--exclude: bad pattern "[ab": unclosed [`},
		{name: "short lease", args: []string{"mez", "-o", "o", "--lease-ttl", "1s"}, wantErr: "--lease-ttl must be at least 10s"},
		{name: "index without total", args: []string{"mez", "-o", "o"}, env: map[string]string{EnvAWSBatchIndex: "3"},
			wantErr: "AWS_BATCH_JOB_ARRAY_INDEX=3 is set but VPACK_SHARD_TOTAL is not"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearShardEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			ios, _, _, _ := cmdutil.Test()
			var got *BatchOptions
			cmd := NewCmdBatch(cmdutil.New(ios), func(_ context.Context, o *BatchOptions) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			cmd.SetOut(ios.Out)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if tc.wantErr != "" {
				var fe *cmdutil.FlagError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a FlagError containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.want.Thumbnails == (cmdutil.ThumbnailFlags{}) {
				tc.want.Thumbnails = cmdutil.ThumbnailFlags{Size: "320x0", Grid: "5x5"} // the flags' defaults
			}
			if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreFields(BatchOptions{}, "IO", "Factory")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolveShard(t *testing.T) {
	tests := []struct {
		name     string
		flag     string
		env      map[string]string
		want     pipeline.Shard
		wantFrom string
		wantErr  string
	}{
		{name: "nothing: the whole batch"},
		{name: "VPACK_SHARD", env: map[string]string{EnvShard: "2/5"}, want: pipeline.Shard{Index: 2, Total: 5}, wantFrom: EnvShard},
		{name: "kubernetes, last index", env: map[string]string{EnvK8sIndex: "7", EnvShardTotal: "8"}, want: pipeline.Shard{Index: 8, Total: 8}, wantFrom: EnvK8sIndex},
		{name: "gitlab", env: map[string]string{EnvCINodeIndex: "1", EnvCINodeTotal: "3"}, want: pipeline.Shard{Index: 1, Total: 3}, wantFrom: EnvCINodeIndex},
		{name: "CI matrix with VPACK_SHARD_TOTAL", env: map[string]string{EnvCINodeIndex: "3", EnvShardTotal: "3"}, want: pipeline.Shard{Index: 3, Total: 3}, wantFrom: EnvCINodeIndex},
		{name: "aws batch", env: map[string]string{EnvAWSBatchIndex: "0", EnvShardTotal: "2"}, want: pipeline.Shard{Index: 1, Total: 2}, wantFrom: EnvAWSBatchIndex},
		{name: "flag first", flag: "2/2", env: map[string]string{EnvShard: "1/2"}, want: pipeline.Shard{Index: 2, Total: 2}, wantFrom: "--shard"},
		{name: "VPACK_SHARD before engines", env: map[string]string{EnvShard: "1/2", EnvK8sIndex: "1", EnvShardTotal: "2"}, want: pipeline.Shard{Index: 1, Total: 2}, wantFrom: EnvShard},
		{name: "kubernetes index out of range", env: map[string]string{EnvK8sIndex: "8", EnvShardTotal: "8"}, wantErr: "JOB_COMPLETION_INDEX=8, VPACK_SHARD_TOTAL=8: bad shard 9/8"},
		{name: "gitlab index 0", env: map[string]string{EnvCINodeIndex: "0", EnvCINodeTotal: "3"}, wantErr: "bad shard 0/3"},
		{name: "not a number", env: map[string]string{EnvK8sIndex: "x", EnvShardTotal: "2"}, wantErr: `JOB_COMPLETION_INDEX="x": not a whole number`},
		{name: "kubernetes without total", env: map[string]string{EnvK8sIndex: "1"}, wantErr: "JOB_COMPLETION_INDEX=1 is set but VPACK_SHARD_TOTAL is not"},
		{name: "bad VPACK_SHARD", env: map[string]string{EnvShard: "3"}, wantErr: "VPACK_SHARD: bad shard"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, from, err := ResolveShard(tc.flag, func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				var fe *cmdutil.FlagError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a FlagError containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want || from != tc.wantFrom {
				t.Fatalf("ResolveShard = %+v, %q, %v; want %+v, %q", got, from, err, tc.want, tc.wantFrom)
			}
		})
	}
}

func TestExpandShard(t *testing.T) {
	if got := expandShard("r/{shard}-of-{shards}.json", pipeline.Shard{Index: 3, Total: 8}); got != "r/3-of-8.json" {
		t.Errorf("got %s", got)
	}
	if got := expandShard("r-{shard}.json", pipeline.Shard{}); got != "r-1.json" {
		t.Errorf("got %s", got)
	}
}
