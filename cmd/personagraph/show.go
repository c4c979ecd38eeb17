package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

func newShowCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "show RECORD_ID",
		Short: "Show a stored record: its content, versions, identifiers and clusters",
		Args: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usagef("unknown --format %q (want text or json)", format)
			}
			return exactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			e, closeStore, err := g.open(g.data)
			if err != nil {
				return err
			}
			defer closeStore()
			if err := e.EnsureClustered(cmd.Context()); err != nil {
				return err
			}
			r, err := e.Store().Record(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if format == "json" {
				out := struct {
					RecordID    string            `json:"record_id"`
					Version     int               `json:"version"`
					Record      json.RawMessage   `json:"record"`
					Identifiers any               `json:"identifiers"`
					Clusters    map[string]string `json:"clusters"`
				}{r.ID, r.Version, r.JSON, r.Identifiers, map[string]string{}}
				for l, c := range r.Clusters {
					out.Clusters[l.String()] = c
				}
				enc := json.NewEncoder(g.stdout)
				enc.SetEscapeHTML(false)
				return enc.Encode(out)
			}
			w := g.stdout
			fmt.Fprintf(w, "record    %s (version %d, observed %s)\n", r.ID, r.Version, r.ObservedAt.Format("2006-01-02 15:04:05Z07:00"))
			for _, l := range graph.Levels() {
				if c, ok := r.Clusters[l]; ok {
					fmt.Fprintf(w, "%-9s %s\n", l, c)
				}
			}
			fmt.Fprintln(w, "identifiers:")
			for _, id := range r.Identifiers {
				flags := ""
				if len(id.Flags) > 0 {
					flags = " [" + strings.Join(id.Flags, ",") + "]"
				}
				fmt.Fprintf(w, "  %-9s %s%s\n", id.Kind, id.Value, flags)
				if id.Kind == ingest.KindCVShingleBand || id.Kind == ingest.KindCVSketch {
					continue // engine-internal: no holder facts
				}
				if st, _, err := e.IdentifierStats(cmd.Context(), id.Kind, id.Value, 0); err != nil {
					return err
				} else if st.Holders > 1 {
					fmt.Fprintf(w, "            %s\n", statsLine(st))
				}
			}
			fmt.Fprintf(w, "content:\n  %s\n", r.JSON)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}
