package batchcmd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/pipeline"
)

// Environment variables that select a worker's shard when --shard is not
// given, in the order they are looked at. Job engines set the index; the
// total comes with it (CI_NODE_TOTAL) or from VPACK_SHARD_TOTAL.
const (
	// EnvShard is "K/N" like --shard: for engines that can template it.
	EnvShard = "VPACK_SHARD"
	// EnvShardTotal is the number of shards for engines that only give
	// an index (Kubernetes: spec.completions; AWS Batch: the array size).
	EnvShardTotal = "VPACK_SHARD_TOTAL"
	// EnvK8sIndex is set by Kubernetes in the pods of an Indexed Job:
	// 0 .. completions-1.
	EnvK8sIndex = "JOB_COMPLETION_INDEX"
	// EnvCINodeIndex and EnvCINodeTotal are set by GitLab CI for
	// `parallel: N` jobs (1 .. N); any CI matrix can set them the same way.
	EnvCINodeIndex = "CI_NODE_INDEX"
	EnvCINodeTotal = "CI_NODE_TOTAL"
	// EnvAWSBatchIndex is set by AWS Batch in the children of an array
	// job: 0 .. size-1.
	EnvAWSBatchIndex = "AWS_BATCH_JOB_ARRAY_INDEX"
)

// ShardEnv lists every environment variable ResolveShard reads.
var ShardEnv = []string{EnvShard, EnvShardTotal, EnvK8sIndex, EnvCINodeIndex, EnvCINodeTotal, EnvAWSBatchIndex}

// ResolveShard decides this worker's shard: --shard K/N when given, else
// the first of these that is set:
//
//	VPACK_SHARD=K/N
//	JOB_COMPLETION_INDEX=i (0-based)        + VPACK_SHARD_TOTAL=N   Kubernetes Indexed Job
//	CI_NODE_INDEX=K (1-based) + CI_NODE_TOTAL=N (or VPACK_SHARD_TOTAL)  GitLab parallel, CI matrices
//	AWS_BATCH_JOB_ARRAY_INDEX=i (0-based)   + VPACK_SHARD_TOTAL=N   AWS Batch array job
//
// and the whole batch when none is. It also returns where the shard came
// from ("--shard", the variable's name, or ""). Bad values are usage
// errors: a worker must never silently do the wrong part.
func ResolveShard(flag string, getenv func(string) string) (pipeline.Shard, string, error) {
	if flag != "" {
		s, err := pipeline.ParseShard(flag)
		if err != nil {
			return pipeline.Shard{}, "", cmdutil.FlagErrorf("--shard: %v", err)
		}
		return s, "--shard", nil
	}
	if v := getenv(EnvShard); v != "" {
		s, err := pipeline.ParseShard(v)
		if err != nil {
			return pipeline.Shard{}, "", cmdutil.FlagErrorf("%s: %v", EnvShard, err)
		}
		return s, EnvShard, nil
	}
	indexed := []struct {
		index, total string
		base         int // the index of the first shard
	}{
		{EnvK8sIndex, EnvShardTotal, 0},
		{EnvCINodeIndex, EnvCINodeTotal, 1},
		{EnvAWSBatchIndex, EnvShardTotal, 0},
	}
	for _, e := range indexed {
		iv := strings.TrimSpace(getenv(e.index))
		if iv == "" {
			continue
		}
		totalVar := e.total
		tv := strings.TrimSpace(getenv(totalVar))
		if tv == "" && totalVar != EnvShardTotal {
			totalVar = EnvShardTotal
			tv = strings.TrimSpace(getenv(totalVar))
		}
		if tv == "" {
			return pipeline.Shard{}, "", cmdutil.FlagErrorf("%s=%s is set but %s is not: set it to the number of shards", e.index, iv, totalVar)
		}
		i, err := strconv.Atoi(iv)
		if err != nil {
			return pipeline.Shard{}, "", cmdutil.FlagErrorf("%s=%q: not a whole number", e.index, iv)
		}
		n, err := strconv.Atoi(tv)
		if err != nil {
			return pipeline.Shard{}, "", cmdutil.FlagErrorf("%s=%q: not a whole number", totalVar, tv)
		}
		s := pipeline.Shard{Index: i - e.base + 1, Total: n}
		if err := s.Check(); err != nil {
			return pipeline.Shard{}, "", cmdutil.FlagErrorf("%s=%s, %s=%s: %v", e.index, iv, totalVar, tv, err)
		}
		return s, e.index, nil
	}
	return pipeline.Shard{}, "", nil
}

// expandShard fills {shard} (the index) and {shards} (the total) in a
// report path, so that the workers of a sharded batch on shared storage
// write one report each.
func expandShard(path string, s pipeline.Shard) string {
	if s == (pipeline.Shard{}) {
		s = pipeline.Shard{Index: 1, Total: 1}
	}
	path = strings.ReplaceAll(path, "{shards}", strconv.Itoa(s.Total))
	return strings.ReplaceAll(path, "{shard}", strconv.Itoa(s.Index))
}

func describeShard(s pipeline.Shard, from string) string {
	if from == "" {
		return "all"
	}
	return fmt.Sprintf("%d/%d (from %s)", s.Index, s.Total, from)
}
