package pipeline

import (
	"errors"
	"fmt"
	"testing"
)

func TestParseShard(t *testing.T) {
	tests := []struct {
		in      string
		want    Shard
		wantErr bool
	}{
		{in: "1/1", want: Shard{1, 1}},
		{in: "3/8", want: Shard{3, 8}},
		{in: " 2 / 3 ", want: Shard{2, 3}},
		{in: "0/3", wantErr: true},
		{in: "4/3", wantErr: true},
		{in: "1/0", wantErr: true},
		{in: "3", wantErr: true},
		{in: "a/b", wantErr: true},
		{in: "1/10001", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseShard(tc.in)
			if tc.wantErr {
				if !errors.Is(err, ErrBadShard) {
					t.Fatalf("ParseShard(%q) = %v, %v; want ErrBadShard", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseShard(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("show-%d__episode-%03d", i%17, i)
	}
	return out
}

// Every title belongs to exactly one shard, and the shards are about even.
func TestShardOfPartitions(t *testing.T) {
	const total = 3
	counts := make(map[int]int)
	for _, id := range ids(3000) {
		owners := 0
		for k := 1; k <= total; k++ {
			if (Shard{k, total}).Owns(id) {
				owners++
				counts[k]++
			}
		}
		if owners != 1 {
			t.Fatalf("%s is owned by %d shards", id, owners)
		}
	}
	for k := 1; k <= total; k++ {
		if c := counts[k]; c < 800 || c > 1200 {
			t.Errorf("shard %d/%d owns %d of 3000 titles, want about 1000", k, total, c)
		}
	}
	if (Shard{}).Owns("anything") != true {
		t.Error("the zero shard must own everything")
	}
}

// Going from N to N+1 shards moves only the titles the new shard takes
// (about 1/(N+1)), never a title between two old shards.
func TestShardOfStableWhenShardsAreAdded(t *testing.T) {
	for _, n := range []int{1, 3, 8} {
		moved := 0
		all := ids(2000)
		for _, id := range all {
			before, after := ShardOf(id, n), ShardOf(id, n+1)
			if before != after {
				if after != n+1 {
					t.Fatalf("%s moved from shard %d to old shard %d going from %d to %d shards", id, before, after, n, n+1)
				}
				moved++
			}
		}
		want := len(all) / (n + 1)
		if moved < want/2 || moved > want*3/2 {
			t.Errorf("%d → %d shards moved %d of %d titles, want about %d", n, n+1, moved, len(all), want)
		}
	}
}

// The assignment is a fixed function: workers on other machines and later
// versions agree. These values must never change.
func TestShardOfIsFixed(t *testing.T) {
	got := []int{ShardOf("a", 3), ShardOf("b", 3), ShardOf("movie", 8), ShardOf("shows__ep-1", 8)}
	want := []int{3, 2, 8, 3}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("ShardOf changed: got %v, want %v (this moves titles of running batches between shards)", got, want)
		}
	}
}
