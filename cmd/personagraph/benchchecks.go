package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/benchmarks"
)

// newBenchChecksCmd is "bench checks": check latency against a store as it is, the
// figure POST /v1/check gives a job platform, without loading a population first. It
// re-sends random stored records under new ids and so adds them to the store: run it on
// a copy of a store you want to keep as it was.
func newBenchChecksCmd(g *globals) *cobra.Command {
	var (
		checks, warm, slowest int
		seed                  uint64
	)
	cmd := &cobra.Command{
		Use:   "checks [--data DIR] [--checks N] [--warm N] [--seed S]",
		Short: "Time checks against an existing store (re-sends random stored records under new ids, which it stores)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if checks < 1 || warm < 0 || slowest < 0 {
				return usagef("--checks must be at least 1, --warm and --slowest at least 0")
			}
			eng, closeStore, err := g.open(g.data)
			if err != nil {
				return err
			}
			defer closeStore()
			ctx := cmd.Context()
			var ids []string
			if err := eng.Store().ForEachRecord(ctx, func(id string, _ uint32) error {
				ids = append(ids, id)
				return nil
			}); err != nil {
				return err
			}
			if len(ids) == 0 {
				return fmt.Errorf("no records in %s", g.data)
			}
			// A sample without repeats: a record checked twice would be a copy of a copy.
			r := rand.New(rand.NewPCG(seed, seed))
			r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
			ids = ids[:min(len(ids), warm+checks)]
			g.log.Info().Int("records", len(ids)).Int("warm", warm).Msg("bench checks: re-sending stored records under new ids")
			cs, err := benchmarks.TimeChecks(ctx, eng, ids, fmt.Sprintf("#check-s%d", seed), warm)
			if err != nil {
				return err
			}
			g.heapProfile()
			if len(cs.Latencies) == 0 {
				return usagef("the store has %d records: none left to time after %d warm-up checks", len(ids), warm)
			}
			fmt.Fprintf(g.stdout, "checks %d  p50 %v  p90 %v  p99 %v  max %v\n", len(cs.Latencies),
				cs.Percentile(0.50), cs.Percentile(0.90), cs.Percentile(0.99), cs.Latencies[len(cs.Latencies)-1])
			n := min(slowest, len(cs.Latencies))
			for i := range n {
				j := len(cs.Latencies) - n + i
				fmt.Fprintf(g.stdout, "  %v  %s\n", cs.Latencies[j], cs.IDs[j])
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&checks, "checks", 1000, "checks to time")
	cmd.Flags().IntVar(&warm, "warm", 100, "checks to run first and leave out of the figures")
	cmd.Flags().IntVar(&slowest, "slowest", 10, "list this many of the slowest checks with the record each re-sent")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the random sample; the copies are stored as ID#check-sSEED, so a second run on one store needs another")
	return cmd
}
