package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

func newHoldersCmd(g *globals) *cobra.Command {
	var format string
	var limit int
	cmd := &cobra.Command{
		Use:   "holders [--limit N] [--format text|json] KIND VALUE",
		Short: "Who else uses this value: its holders, their clusters, and how many names, countries and sources stand behind it",
		Long: "holders is GET /v1/identifiers/{kind}/{value}: the records holding an identifier value\n" +
			"(the canonical form `show` prints, e.g. `holders payment GB33BUKB20201555555555`), their\n" +
			"clusters, and the value's statistics over all its holders: degree, first and last\n" +
			"seen, distinct names, countries and sources.",
		Args: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usagef("unknown --format %q (want text or json)", format)
			}
			if limit < 1 {
				return usagef("--limit must be at least 1")
			}
			return exactArgs(2)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			e, closeStore, err := g.open(g.data)
			if err != nil {
				return err
			}
			defer closeStore()
			ctx := cmd.Context()
			if err := e.EnsureClustered(ctx); err != nil {
				return err
			}
			kind, value := ingest.Kind(args[0]), args[1]
			stats, listed, err := e.IdentifierStats(ctx, kind, value, limit)
			if err != nil {
				return err
			}
			type holder struct {
				RecordID string            `json:"record_id"`
				Clusters map[string]string `json:"clusters"`
			}
			hs := make([]holder, len(listed))
			for i, id := range listed {
				hs[i] = holder{id, map[string]string{}}
			}
			for _, l := range graph.Levels() {
				ms, err := e.Store().Memberships(ctx, l, listed)
				if err != nil {
					return err
				}
				for i, c := range ms {
					if c != "" {
						hs[i].Clusters[l.String()] = c
					}
				}
			}
			if format == "json" {
				enc := json.NewEncoder(g.stdout)
				enc.SetEscapeHTML(false)
				return enc.Encode(map[string]any{"kind": kind, "value": value, "count": stats.Holders, "holders": hs, "stats": stats})
			}
			w := g.stdout
			fmt.Fprintf(w, "%s %s\n", kind, value)
			fmt.Fprintf(w, "  %s\n", statsLine(stats))
			for _, h := range hs {
				fmt.Fprintf(w, "  %-28s person %-24s operator %s\n", h.RecordID, h.Clusters[graph.Person.String()], h.Clusters[graph.Operator.String()])
			}
			if stats.Holders > len(hs) {
				fmt.Fprintf(w, "  ... %d more (--limit)\n", stats.Holders-len(hs))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().IntVar(&limit, "limit", 100, "holders listed at most (the statistics cover all)")
	return cmd
}

// statsLine says in one line how widely a value is held.
func statsLine(st graph.IdentifierStats) string {
	s := "held by " + count(st.Holders, "record", "records")
	if st.Described == 0 {
		return s
	}
	s += fmt.Sprintf(" under %s from %s in %s, seen %s to %s", count(st.Names, "name", "names"),
		count(st.Sources, "source", "sources"), count(st.Countries, "country", "countries"),
		st.FirstSeen.Format(time.DateOnly), st.LastSeen.Format(time.DateOnly))
	if st.Described < st.Holders {
		s += fmt.Sprintf(" (%d of them stored with these facts)", st.Described)
	}
	return s
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
