package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/benchmarks"
	"github.com/personagraph/personagraph/fixtures"
)

// newBenchStoreCmd is "bench store": the store suite (bulk load, small-batch stream, raw
// Badger), written to its own file because a 1M-record run takes many minutes.
func newBenchStoreCmd(g *globals) *cobra.Command {
	var (
		people int
		input  string
		modes  []string
		seed   uint64
		out    string
		work   string
	)
	cmd := &cobra.Command{
		Use:   "store [--people N | --input FILE] [--modes bulk,raw,stream] [--out FILE]",
		Short: "Time filling a store: bulk load, a stream of small batches, and raw Badger writes of the same keys",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, m := range modes {
				if m != "bulk" && m != "raw" && m != "stream" {
					return usagef("unknown mode %q (want bulk, raw, stream)", m)
				}
			}
			dir, err := os.MkdirTemp(work, "personagraph-bench-store-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			what := input
			if input == "" {
				input = filepath.Join(dir, "records.ndjson")
				g.log.Info().Int("people", people).Msg("store: generating tier T1")
				f, err := os.Create(input)
				if err != nil {
					return err
				}
				w := bufio.NewWriterSize(f, 1<<20)
				st, err := fixtures.Generate(cmd.Context(), fixtures.Config{People: people, Tier: fixtures.T1, Seed: seed, TempDir: dir}, w, io.Discard, io.Discard)
				if err = errors.Join(err, w.Flush(), f.Close()); err != nil {
					return err
				}
				what = fmt.Sprintf("generated tier T1, %d people (%d records), seed %d", people, st.Records, seed)
			}
			rs, err := benchmarks.RunStore(cmd.Context(), dir, input, modes, func(msg string) { g.log.Info().Msg(msg) })
			for _, r := range rs {
				g.log.Info().Str("mode", r.Mode).Int("records", r.Records).Float64("seconds", r.Took.Seconds()).
					Float64("records_per_s", r.RecordsPerSec).Uint64("peak_rss_mib", r.PeakRSS>>20).Msg("store result")
			}
			if err != nil {
				return err
			}
			env := benchmarks.Env{Date: time.Now(), Command: "go run ./cmd/personagraph bench " + strings.Join(os.Args[2:], " ")}
			f, err := os.Create(out)
			if err != nil {
				return err
			}
			if err := errors.Join(benchmarks.WriteStoreResults(f, env, what, rs), f.Close()); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "wrote %s (%d rows)\n", out, len(rs))
			return nil
		},
	}
	cmd.Flags().IntVar(&people, "people", 550000, "genuine people of the generated population (550,000 make about 1M records)")
	cmd.Flags().StringVar(&input, "input", "", "an NDJSON file to load instead of a generated population")
	cmd.Flags().StringSliceVar(&modes, "modes", []string{"bulk", "raw", "stream"}, "which rows to run")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the generated population")
	cmd.Flags().StringVar(&out, "out", "benchmarks/STORE.md", "where to write the table")
	cmd.Flags().StringVar(&work, "work-dir", "", "where the stores go while measured (default: the system's temporary directory)")
	return cmd
}
