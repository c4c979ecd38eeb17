package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/ingest"
)

func newIngestCmd(g *globals) *cobra.Command {
	var (
		format  string
		mapSpec string
		strict  bool
		bulk    bool
	)
	cmd := &cobra.Command{
		Use:   "ingest [--format ndjson] FILE...|-",
		Short: "Store every valid record of the files and re-cluster; report rejected lines",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("ingest needs at least one FILE or - for standard input")
			}
			switch {
			case format != "ndjson" && format != "csv":
				return usagef("unknown --format %q (want ndjson or csv)", format)
			case format == "csv" && mapSpec == "":
				return usagef("--format csv needs --map FILE or a preset (%s)", strings.Join(ingest.PresetNames(), ", "))
			case format == "ndjson" && mapSpec != "":
				return usagef("--map applies to --format csv only")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			e, closeStore, err := g.open(g.data)
			if err != nil {
				return err
			}
			defer closeStore()
			var m *ingest.Mapping
			if format == "csv" {
				if m, err = ingest.ResolveMapping(mapSpec); err != nil {
					return err
				}
			}
			var total engine.Summary
			for _, name := range args {
				sum, err := ingestFile(cmd, g, e, name, m, bulk)
				total.New += sum.New
				total.Updated += sum.Updated
				total.Unchanged += sum.Unchanged
				total.Rejected += sum.Rejected
				if err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
			// Cluster once, after every file: the stale marker says whether anything changed.
			if err := e.EnsureClustered(cmd.Context()); err != nil {
				return err
			}
			g.heapProfile()
			fmt.Fprintf(g.stdout, "new %d, updated %d, unchanged %d, rejected %d\n",
				total.New, total.Updated, total.Unchanged, total.Rejected)
			if strict && total.Rejected > 0 {
				return fmt.Errorf("%d line(s) rejected (--strict)", total.Rejected)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "ndjson", "input format: ndjson or csv")
	cmd.Flags().StringVar(&mapSpec, "map", "", "CSV column mapping: a JSON mapping file or a preset (febrl, febrl_dsgen, splink, rldata)")
	cmd.Flags().BoolVar(&strict, "strict", false, "exit non-zero if any line is rejected")
	cmd.Flags().BoolVar(&bulk, "bulk", true, "load a file into an empty store through the bulk loader (sorted stream into Badger, offline index build; all or nothing); a store holding data always takes transactions")
	return cmd
}

// ingestFile stores the records of one file ("-" is standard input) without clustering.
// A nil mapping means NDJSON; otherwise the file is CSV read through the mapping.
func ingestFile(cmd *cobra.Command, g *globals, e *engine.Engine, name string, m *ingest.Mapping, bulk bool) (engine.Summary, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return engine.Summary{}, err
		}
		defer f.Close()
		r = f
	}
	var src engine.Source = ingest.NewReader(r, 0)
	if m != nil {
		csv, err := ingest.NewCSVReader(r, m)
		if err != nil {
			return engine.Summary{}, err
		}
		src = csv
	}
	log := g.log.With().Str("file", name).Logger()
	last := time.Now()
	start := last
	sum, err := e.Ingest(cmd.Context(), src, &engine.IngestOptions{
		OnReject: func(pe *ingest.ParseError) {
			fmt.Fprintf(g.stderr, "%s: rejected: %v\n", name, pe)
		},
		OnProgress: func(s engine.Summary) {
			if time.Since(last) < 2*time.Second {
				return
			}
			last = time.Now()
			n := s.Accepted()
			log.Info().Int("records", n).Int("rejected", s.Rejected).
				Float64("records_per_s", float64(n)/time.Since(start).Seconds()).Msg("ingest progress")
		},
		SkipCluster: true,
		Bulk:        bulk,
	})
	if err != nil && errors.Is(err, cmd.Context().Err()) {
		return sum, fmt.Errorf("interrupted after %d records: %w", sum.Accepted(), err)
	}
	return sum, err
}
