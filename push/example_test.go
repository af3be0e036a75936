package push_test

import (
	"context"
	"fmt"
	"log"

	"github.com/vpack-dev/vpack/push"
)

// Publish a package folder to S3 (credentials, region and endpoint from
// the AWS environment), deleting what an earlier push left that the
// package no longer has.
func ExamplePublish() {
	ctx := context.Background()
	origin, err := push.Open(ctx, "s3://bucket/titles/movie", push.OpenOptions{})
	if err != nil {
		log.Fatal(err)
	}
	rep, err := push.Publish(ctx, "out", origin, push.PublishOptions{Delete: true})
	if err != nil {
		log.Fatal(err) // errors.Is(err, push.ErrFailed): not published; *push.PackageError: bad folder
	}
	fmt.Printf("%d uploaded, %d unchanged, %d deleted\n", rep.Uploaded, rep.Skipped, rep.Deleted)
}

// Fill two edges from the origin between 02:00 and 06:00: the three
// highest renditions that fit 2 GB, at 200 MB/s each.
func ExampleFill() {
	ctx := context.Background()
	origin, err := push.Open(ctx, "s3://bucket/titles/movie", push.OpenOptions{})
	if err != nil {
		log.Fatal(err)
	}
	var edges []push.Edge
	for _, u := range []string{"https://edge1.example/movie", "https://edge2.example/movie"} {
		s, err := push.Open(ctx, u, push.OpenOptions{})
		if err != nil {
			log.Fatal(err)
		}
		edges = append(edges, push.Edge{Store: s, CapacityBytes: 2e9, RateBytesPerSecond: 200e6})
	}
	window, _ := push.ParseWindow("02:00-06:00", nil)
	rep, err := push.Fill(ctx, origin, edges, push.FillOptions{
		Selection: push.Selection{Mode: "top", N: 3},
		Window:    &window,
	})
	if err != nil {
		log.Fatal(err)
	}
	if rep.OutsideWindow {
		fmt.Println(rep.Message)
	}
	for _, e := range rep.Edges {
		fmt.Println(e.Edge, e.Renditions, e.Copied, e.Bytes)
	}
}
