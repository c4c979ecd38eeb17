package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/ingest"
)

func newNormalizeCmd(g *globals) *cobra.Command {
	var format, mapSpec string
	cmd := &cobra.Command{
		Use:   "normalize [--format ndjson|csv] [--map FILE|PRESET] [FILE|-]",
		Short: "Print the normalised identifiers of each record as NDJSON; stores nothing",
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) > 1:
				return usagef("normalize takes at most one FILE")
			case format != "ndjson" && format != "csv":
				return usagef("unknown --format %q (want ndjson or csv)", format)
			case format == "csv" && mapSpec == "":
				return usagef("--format csv needs --map FILE or a preset (%s)", strings.Join(ingest.PresetNames(), ", "))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var r io.Reader = os.Stdin
			name := "-"
			if len(args) == 1 && args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				r, name = f, args[0]
			}
			var src engine.Source = ingest.NewReader(r, 0)
			if format == "csv" {
				m, err := ingest.ResolveMapping(mapSpec)
				if err != nil {
					return err
				}
				if src, err = ingest.NewCSVReader(r, m); err != nil {
					return err
				}
			}
			out := bufio.NewWriterSize(g.stdout, 64<<10)
			defer out.Flush()
			enc := json.NewEncoder(out)
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
					fmt.Fprintf(g.stderr, "%s: rejected: %v\n", name, pe)
					continue
				}
				if err != nil {
					return err
				}
				ids := ingest.Identifiers(rec)
				if ids == nil {
					ids = []ingest.Identifier{}
				}
				if err := enc.Encode(struct {
					RecordID    string              `json:"record_id"`
					Identifiers []ingest.Identifier `json:"identifiers"`
				}{rec.RecordID, ids}); err != nil {
					return err
				}
			}
			if rejected > 0 {
				g.log.Warn().Int("rejected", rejected).Msg("normalize: lines rejected")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "ndjson", "input format: ndjson or csv")
	cmd.Flags().StringVar(&mapSpec, "map", "", "CSV column mapping: a JSON mapping file or a preset")
	return cmd
}
