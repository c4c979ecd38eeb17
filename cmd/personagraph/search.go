package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/graph"
)

func newSearchCmd(g *globals) *cobra.Command {
	var format string
	var limit int
	cmd := &cobra.Command{
		Use:   "search [--limit N] [--format table|ndjson] QUERY",
		Short: "Find records by name (typos, other scripts, sound-alikes), e-mail, phone, address, postcode or CV words",
		Long: "search looks the query up in every indexed field and prints the matching records,\n" +
			"best first, with their score and the fields that matched. Text fields (name,\n" +
			"address, CV) need every word of the query, each within a few typos; e-mail, phone\n" +
			"and postcode match exactly after normalising. In an encrypted store only exact\n" +
			"words match. Several words are one query: quote them.",
		Args: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "ndjson" {
				return usagef("unknown --format %q (want table or ndjson)", format)
			}
			if limit < 1 {
				return usagef("--limit must be at least 1, got %d", limit)
			}
			if len(args) == 0 || strings.TrimSpace(strings.Join(args, " ")) == "" {
				return usagef("search needs a query")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			e, closeStore, err := g.open(g.data)
			if err != nil {
				return err
			}
			defer closeStore()
			// Unquoted words are joined: "search Jon Smith" means the name.
			hits, err := e.Search(cmd.Context(), strings.Join(args, " "), limit)
			if err != nil {
				return err
			}
			return printHits(g, hits, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or ndjson")
	cmd.Flags().IntVar(&limit, "limit", 20, "most records to print")
	return cmd
}

func printHits(g *globals, hits []graph.Hit, format string) error {
	if format == "ndjson" {
		enc := json.NewEncoder(g.stdout)
		enc.SetEscapeHTML(false)
		for _, h := range hits {
			if err := enc.Encode(h); err != nil {
				return err
			}
		}
		return nil
	}
	if len(hits) == 0 {
		fmt.Fprintln(g.stdout, "no records found")
		return nil
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RECORD_ID\tSCORE\tMATCHED")
	for _, h := range hits {
		fmt.Fprintf(tw, "%s\t%.3f\t%s\n", h.RecordID, h.Score, strings.Join(h.Matched, ","))
	}
	return tw.Flush()
}
