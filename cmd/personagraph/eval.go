package main

import (
	"encoding/json"
	"os"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/benchmarks"
)

func newEvalCmd(g *globals) *cobra.Command {
	var (
		truthFiles  []string
		mapSpec     string
		level       string
		mustNotLink string
		format      string
		sizeSVG     string
	)
	cmd := &cobra.Command{
		Use:   "eval --truth FILE [--level person|operator] [--must-not-link FILE] [--format table|json]",
		Short: "Measure the stored clusters against ground truth: pairwise and B-cubed precision/recall/F1, ring recall, must-not-link violations",
		Long: "eval compares the clusters in the data directory with ground truth. Truth is NDJSON\n" +
			"({record_id, person_id, operator_id, ring_id}) or, with --map PRESET, the CSV files of a\n" +
			"public dataset whose truth derives from record ids or a truth column.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 0 {
				return usagef("eval takes no arguments")
			}
			if len(truthFiles) == 0 {
				return usagef("eval needs --truth FILE")
			}
			if format != "table" && format != "json" {
				return usagef("unknown --format %q (want table or json)", format)
			}
			if _, err := benchmarks.ParseLevel(level); err != nil {
				return usageError{err}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			lvl, _ := benchmarks.ParseLevel(level)
			truth, err := benchmarks.LoadTruth(truthFiles, mapSpec)
			if err != nil {
				return err
			}
			opts := benchmarks.EvalOptions{Level: lvl}
			if mustNotLink != "" {
				f, err := os.Open(mustNotLink)
				if err != nil {
					return err
				}
				opts.MustNotLink, err = benchmarks.ReadMustNotLink(f)
				f.Close()
				if err != nil {
					return err
				}
			}
			e, closeStore, err := g.open(g.data)
			if err != nil {
				return err
			}
			defer closeStore()
			if err := e.EnsureClustered(cmd.Context()); err != nil {
				return err
			}
			pred, err := benchmarks.StorePartition(cmd.Context(), e.Store(), lvl)
			if err != nil {
				return err
			}
			rep, err := benchmarks.Evaluate(pred, truth, opts)
			if err != nil {
				return err
			}
			if sizeSVG != "" {
				f, err := os.Create(sizeSVG)
				if err != nil {
					return err
				}
				if err := benchmarks.WriteSizeSVG(f, rep, "cluster sizes ("+level+")"); err != nil {
					f.Close()
					return err
				}
				if err := f.Close(); err != nil {
					return err
				}
			}
			if format == "json" {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			return rep.WriteTable(g.stdout)
		},
	}
	cmd.Flags().StringArrayVar(&truthFiles, "truth", nil, "ground truth file (repeat for several)")
	cmd.Flags().StringVar(&mapSpec, "map", "", "truth files are CSV of this preset or mapping file (febrl, febrl_dsgen, splink, rldata)")
	cmd.Flags().StringVar(&level, "level", "person", "cluster level: person or operator")
	cmd.Flags().StringVar(&mustNotLink, "must-not-link", "", "must_not_link.ndjson: pairs of truth persons that must stay apart")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	cmd.Flags().StringVar(&sizeSVG, "size-svg", "", "also draw the cluster-size distribution to this SVG file")
	return cmd
}
