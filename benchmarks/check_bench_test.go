package benchmarks

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/fixtures"
	"github.com/personagraph/personagraph/ingest"
)

// BenchmarkLinkOne times what POST /v1/check does inside the engine: store one new
// record and link it into the clusters of a store of a generated T1 population (about
// 36k records), without HTTP. Each iteration checks a record held back from the load.
//
//	go test ./benchmarks/ -run '^$' -bench BenchmarkLinkOne -benchtime 2000x
func BenchmarkLinkOne(b *testing.B) {
	ctx := context.Background()
	var all bytes.Buffer
	if _, err := fixtures.Generate(ctx, fixtures.Config{People: 20000, Tier: fixtures.T1}, &all, io.Discard, io.Discard); err != nil {
		b.Fatal(err)
	}
	var lines [][]byte
	sc := bufio.NewScanner(&all)
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	// Every fifth record is held back for checks, so they spread over the population.
	var load bytes.Buffer
	var held [][]byte
	for i, l := range lines {
		if i%5 == 0 {
			held = append(held, l)
			continue
		}
		load.Write(l)
		load.WriteByte('\n')
	}
	_, eng, cleanup, err := openFresh(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer cleanup()
	if _, err := eng.Ingest(ctx, ingest.NewReader(&load, 0), nil); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		if i == len(held) {
			b.Fatalf("only %d records held back", len(held))
		}
		sum, err := eng.Ingest(ctx, ingest.NewReader(bytes.NewReader(held[i]), 0), &engine.IngestOptions{Link: true})
		if err != nil || sum.New != 1 {
			b.Fatalf("check %d: %+v, %v", i, sum, err)
		}
		i++
	}
}
