package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/fixtures"
)

func newGenerateCmd(g *globals) *cobra.Command {
	var (
		people int
		tier   string
		seed   uint64
		share  float64
		out    string
	)
	cmd := &cobra.Command{
		Use:   "generate --people N [--tier T1] [--seed S] --out DIR",
		Short: "Write a synthetic labelled population: records.ndjson, truth.ndjson, must_not_link.ndjson",
		Long: "generate writes genuine applicants with benign collisions plus operator rings\n" +
			"(DOMAIN.md section 6) at a difficulty tier T0..T4. The same flags give the same bytes.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 0 {
				return usagef("generate takes no arguments")
			}
			if out == "" {
				return usagef("generate needs --out DIR")
			}
			if people < 1 {
				return usagef("--people must be at least 1")
			}
			if _, err := fixtures.ParseTier(tier); err != nil {
				return usageError{err}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			t, _ := fixtures.ParseTier(tier)
			cfg := fixtures.Config{People: people, Tier: t, Seed: seed, DPRKShare: share}
			cfg.EnsureDefaults()
			if err := cfg.Validate(); err != nil {
				return usageError{err}
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			names := []string{"records.ndjson", "truth.ndjson", "must_not_link.ndjson"}
			files := make([]*os.File, len(names))
			bufs := make([]*bufio.Writer, len(names))
			for i, n := range names {
				f, err := os.Create(filepath.Join(out, n))
				if err != nil {
					return err
				}
				defer f.Close()
				files[i], bufs[i] = f, bufio.NewWriterSize(f, 1<<20)
			}
			st, err := fixtures.Generate(cmd.Context(), cfg, bufs[0], bufs[1], bufs[2])
			if err != nil {
				return err
			}
			for i := range files {
				if err := bufs[i].Flush(); err != nil {
					return err
				}
				if err := files[i].Close(); err != nil {
					return err
				}
			}
			fmt.Fprintf(g.stdout, "wrote %s: %d records (%d genuine people, %d rings, %d operators, %d personas)\n",
				out, st.Records, st.People, st.Rings, st.Operators, st.Personas)
			return nil
		},
	}
	cmd.Flags().IntVar(&people, "people", 0, "number of genuine people")
	cmd.Flags().StringVar(&tier, "tier", "T1", "difficulty tier T0..T4")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "random seed")
	cmd.Flags().Float64Var(&share, "dprk-share", 0, "share of applications from operator personas (default 0.0029)")
	cmd.Flags().StringVar(&out, "out", "", "output directory")
	return cmd
}
