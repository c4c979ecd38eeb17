package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/ingest"
)

// checkLine is one answer of `personagraph check`: POST /v1/check's, with the time it took.
type checkLine struct {
	*engine.CheckResult
	TookMS float64 `json:"took_ms"`
}

func newCheckCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check FILE|-",
		Short: "Screen applicants one at a time: store each record, link it into the clusters and print its clusters, risk and flags (NDJSON)",
		Long: `check is POST /v1/check for a file: each record is stored and linked into the
stored clusters on its own (no re-clustering of the store, unless the clusters were
stale), and one NDJSON line answers it with the time it took. Bad lines are reported
on standard error with their line number and field, as ingest does.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, closeStore, err := g.open(g.data)
			if err != nil {
				return err
			}
			defer closeStore()
			var r io.Reader = os.Stdin
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				r = f
			}
			ctx := cmd.Context()
			src := ingest.NewReader(bufio.NewReader(r), 0)
			enc := json.NewEncoder(g.stdout)
			enc.SetEscapeHTML(false)
			rejected := 0
			for {
				rec, err := src.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				var pe *ingest.ParseError
				if errors.As(err, &pe) {
					rejected++
					fmt.Fprintf(g.stderr, "%s: rejected: %v\n", args[0], pe)
					continue
				}
				if err != nil {
					return err
				}
				start := time.Now()
				res, _, err := e.Check(ctx, rec)
				if err != nil {
					return err
				}
				out := checkLine{CheckResult: res, TookMS: float64(time.Since(start).Microseconds()) / 1000}
				if err := enc.Encode(out); err != nil {
					return err
				}
			}
			if rejected > 0 {
				return fmt.Errorf("%d line(s) rejected", rejected)
			}
			return nil
		},
	}
	return cmd
}
