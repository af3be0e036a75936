package fill

import (
	"bytes"
	"strings"
	"testing"
)

func TestWriteChartSVG(t *testing.T) {
	fr := []float64{0.05, 0.1, 0.25, 0.5, 1}
	mk := func(plan, opt, pop, lru float64) *SimReport {
		return &SimReport{Policies: []PolicyReport{
			{Policy: PolicyPlan, HitRatio: plan}, {Policy: PolicyOptimum, HitRatio: opt},
			{Policy: PolicyPopularity, HitRatio: pop}, {Policy: PolicyLRU, HitRatio: lru},
		}}
	}
	reps := []*SimReport{mk(.62, .64, .53, .42), mk(.71, .76, .62, .53), mk(.84, .91, .76, .56), mk(.94, .99, .88, .56), mk(1, 1, 1, .56)}
	c := CapacityChart("Edge hit ratio, Zipf 0.8 <&>", fr, reps)
	var b bytes.Buffer
	if err := WriteChartSVG(&b, c); err != nil {
		t.Fatal(err)
	}
	golden(t, "chart.svg", b.Bytes())
	if !strings.Contains(b.String(), "Zipf 0.8 &lt;&amp;&gt;") {
		t.Error("title not escaped")
	}
	for _, bad := range []Chart{
		{Title: "empty"},
		{Title: "log of zero", LogX: true, Series: []Series{{Name: "a", Points: []Point{{0, 1}}}}},
	} {
		if err := WriteChartSVG(&b, bad); err == nil {
			t.Errorf("chart %q drawn", bad.Title)
		}
	}
}
