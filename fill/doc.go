/*
Package fill decides what to pre-position on which edge cache, and
predicts the edge hit ratio a decision gets, at CDN scale: 100,000 titles,
a thousand edges and ten million requests take about 12 CPU-seconds to
plan and simulate with every baseline (bench/fillbench).

# What it owns, what it does not

fill owns the planning model: the catalog file ([Catalog]: titles, their
video renditions with sizes from package.json, popularity per region, an
ABR model of which rendition viewers play), the edges file ([Edge]:
region, capacity, fill bandwidth and window), the plan file ([Plan]:
placements, and the adds and evictions that reach them), the planner
([Model.Plan]), the synthetic trace generator ([Model.Trace], [Synthetic])
and the simulator ([Model.Simulate]) with its baselines, and the chart of
hit ratio against capacity ([WriteChartSVG]). It is a pure library: no
store, no network, no ffmpeg, no clock. It does not copy anything:
vpack fill apply hands a plan to push, which fills the edges (push.Fill,
push.Evict); fill only reads push's size, rate and window parsers and its
key rules.

# Inputs and outputs

  - [ReadCatalog], [ReadEdges], [ReadPlan] (or the Parse variants over
    bytes) → checked values, or a [*FileError] naming the file and the
    problem (malformed JSON with its line and column, unknown fields,
    [ErrUnknownRendition], [ErrEmptyCatalog], [ErrNegative], ...).
  - [NewModel](catalog, edges) → a [*Model]: flat slices and integer IDs.
  - [Model.Plan](ctx, [PlanOptions]) → a [*Plan]: per edge a placement
    (most valuable first) that fits its capacity, adds that fit its fill
    budget (fill rate × window), its expected hit ratio and an upper bound
    no placement can beat; with PlanOptions.Previous, an incremental plan
    that moves only what changed.
  - [Model.Trace](ctx, [TraceConfig]) → a [*Trace]: requests drawn by seed.
  - [Model.Simulate](ctx, trace, plan, [SimOptions]) → a [*SimReport]: hit
    ratio and origin offload, per region, for the plan, the hindsight
    optimum and the baselines (yesterday's counts, popularity-only, LRU).

# The model

A request is for one rendition of one title, from one region, and is
served by one of the region's edges (in proportion to their weight). Its
title follows the region's popularity; its rendition follows the ABR model
([ABR]: log-normal viewer throughput, the highest rendition within a
safety factor of it). A request is an edge hit when the edge holds that
rendition. An edge holding any rendition of a title also holds the
title's base (audio, manifests): a setup cost shared by its renditions.

The planner (see [Model.Plan] for the algorithm and its bound) maximises
each edge's expected hits: per title, renditions merge into bundles along
the upper concave hull of value against bytes; bundles are taken by value
per byte while they fit. Expected hits are within one bundle's value of
the optimum, and each edge reports the LP bound.

# Usage

	cat, err := fill.ReadCatalog("catalog.json")
	edges, err := fill.ReadEdges("edges.json")
	m, err := fill.NewModel(cat, edges)
	plan, err := m.Plan(ctx, fill.PlanOptions{})
	tr, err := m.Trace(ctx, fill.TraceConfig{Requests: 10_000_000, Seed: 1})
	rep, err := m.Simulate(ctx, tr, plan, fill.SimOptions{})
	fmt.Println(rep.Policy(fill.PolicyPlan).HitRatio)

# Limits

  - Popularity is static over the period a plan is for, and requests are
    independent draws from it (the independent reference model); there is
    no diurnal pattern, no popularity churn within the period and no
    request for part of a rendition.
  - A miss at an edge is not cached by the simulated plan (pre-positioned
    edges serve what they hold; the LRU baseline is the pull-through
    alternative). Edges of a region do not back each other up.
  - The hindsight optimum shares counts between the edges of a region; it
    gains from the trace's sampling noise, which no forecast can, so its
    lead over the plan shrinks as the trace grows (bench/fillbench shows
    by how much).
*/
package fill
