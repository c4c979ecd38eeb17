package benchmarks

import (
	"context"
	"io"
	"testing"

	"github.com/personagraph/personagraph/fixtures"
)

// TestRunSpeedSmall runs the speed suite on a small population: every record is stored
// and clustered, and the checks store and link their copies.
func TestRunSpeedSmall(t *testing.T) {
	ctx := context.Background()
	res, err := RunSpeed(ctx, t.TempDir(), func(w io.Writer) error {
		_, err := fixtures.Generate(ctx, fixtures.Config{People: 300, Tier: fixtures.T1}, w, io.Discard, io.Discard)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if res.Records < 300 || res.CheckP50 <= 0 || res.CheckP99 < res.CheckP50 || res.LookupP50 <= 0 || res.StoreBytes <= 0 {
		t.Fatalf("speed result %+v", res)
	}
}

// TestRunNormalize normalises the benchmark population twice and reports a rate.
func TestRunNormalize(t *testing.T) {
	res, err := RunNormalize(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if res.Records < 5000 || res.RecordsPerSec <= 0 || res.MedianPerSec > res.RecordsPerSec || res.Workers < 1 {
		t.Fatalf("normalise result %+v", res)
	}
}
