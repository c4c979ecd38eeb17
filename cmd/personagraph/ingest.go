package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/ingest"
)

func newIngestCmd(g *globals) *cobra.Command {
	var (
		format string
		strict bool
	)
	cmd := &cobra.Command{
		Use:   "ingest [--format ndjson] FILE...|-",
		Short: "Store every valid record of the files and re-cluster; report rejected lines",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("ingest needs at least one FILE or - for standard input")
			}
			if format != "ndjson" {
				return usagef("unknown --format %q (want ndjson)", format)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			e, closeStore, err := g.open(g.data)
			if err != nil {
				return err
			}
			defer closeStore()
			var total engine.Summary
			for _, name := range args {
				sum, err := ingestFile(cmd, g, e, name)
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
			fmt.Fprintf(g.stdout, "new %d, updated %d, unchanged %d, rejected %d\n",
				total.New, total.Updated, total.Unchanged, total.Rejected)
			if strict && total.Rejected > 0 {
				return fmt.Errorf("%d line(s) rejected (--strict)", total.Rejected)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "ndjson", "input format: ndjson")
	cmd.Flags().BoolVar(&strict, "strict", false, "exit non-zero if any line is rejected")
	return cmd
}

// ingestFile stores the records of one file ("-" is standard input) without clustering.
func ingestFile(cmd *cobra.Command, g *globals, e *engine.Engine, name string) (engine.Summary, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return engine.Summary{}, err
		}
		defer f.Close()
		r = f
	}
	log := g.log.With().Str("file", name).Logger()
	last := time.Now()
	start := last
	sum, err := e.Ingest(cmd.Context(), ingest.NewReader(r, 0), &engine.IngestOptions{
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
	})
	if err != nil && errors.Is(err, cmd.Context().Err()) {
		return sum, fmt.Errorf("interrupted after %d records: %w", sum.Accepted(), err)
	}
	return sum, err
}
