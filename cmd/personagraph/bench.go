package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/benchmarks"
	"github.com/personagraph/personagraph/fixtures"
)

func newBenchCmd(g *globals) *cobra.Command {
	var (
		datasets    string
		people      int
		tiers       []string
		speedPeople []int
		seed        uint64
		out         string
	)
	cmd := &cobra.Command{
		Use:   "bench [--datasets DIR] [--people N] [--tiers T0,T1,...] [--speed-people N,...] [--out FILE]",
		Short: "Run the accuracy and speed suites and write RESULTS.md with charts beside it",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := benchmarks.Config{DatasetsDir: datasets, People: people, SpeedPeople: speedPeople, Seed: seed,
				Progress: func(msg string) { g.log.Info().Msg(msg) }}
			for _, t := range tiers {
				tier, err := fixtures.ParseTier(t)
				if err != nil {
					return usageError{err}
				}
				cfg.Tiers = append(cfg.Tiers, tier)
			}
			acc, speed, err := benchmarks.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			var norm *benchmarks.NormalizeResult
			if len(speedPeople) > 0 {
				g.log.Info().Msg("speed: normalisation")
				n, err := benchmarks.RunNormalize(cmd.Context(), 10)
				if err != nil {
					return err
				}
				norm = &n
			}
			env := benchmarks.Env{Date: time.Now(), Command: "go run ./cmd/personagraph bench " + strings.Join(os.Args[2:], " ")}
			f, err := os.Create(out)
			if err != nil {
				return err
			}
			if err := benchmarks.WriteResults(f, env, acc, speed, norm); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			// One cluster-size chart per generated population and level.
			for _, r := range acc {
				if !strings.HasPrefix(r.Dataset, "generated") {
					continue
				}
				name := strings.NewReplacer(" ", "-", ",", "").Replace(strings.TrimPrefix(r.Dataset, "generated "))
				path := filepath.Join(filepath.Dir(out), fmt.Sprintf("sizes-%s-%s.svg", name, r.Report.Level))
				svg, err := os.Create(path)
				if err != nil {
					return err
				}
				err = benchmarks.WriteSizeSVG(svg, r.Report, fmt.Sprintf("%s: %s cluster sizes", r.Dataset, r.Report.Level))
				if cerr := svg.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					return err
				}
			}
			fmt.Fprintf(g.stdout, "wrote %s (%d accuracy rows, %d speed rows)\n", out, len(acc), len(speed))
			return nil
		},
	}
	cmd.AddCommand(newBenchStoreCmd(g))
	cmd.AddCommand(newBenchChecksCmd(g))
	cmd.Flags().StringVar(&datasets, "datasets", "../shared/datasets", "directory of the public labelled datasets (empty: skip them)")
	cmd.Flags().IntVar(&people, "people", 20000, "genuine people per generated tier population")
	cmd.Flags().StringSliceVar(&tiers, "tiers", []string{"T0", "T1", "T2", "T3"}, "generated tiers to evaluate")
	cmd.Flags().IntSliceVar(&speedPeople, "speed-people", []int{5000, 50000}, "population sizes (genuine people, tier T1) for the speed suite")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the generated populations")
	cmd.Flags().StringVar(&out, "out", "benchmarks/RESULTS.md", "where to write the results")
	return cmd
}
