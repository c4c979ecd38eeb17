package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
)

func newExplainCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "explain RECORD_A RECORD_B",
		Short: "Say why two records are or are not one person or one operator: field evidence and shared values",
		Args: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usagef("unknown --format %q (want text or json)", format)
			}
			return exactArgs(2)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			e, closeStore, err := g.open(g.data)
			if err != nil {
				return err
			}
			defer closeStore()
			ex, err := e.Explain(cmd.Context(), args[0], args[1])
			if err != nil {
				return err
			}
			w := g.stdout
			if format == "json" {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(ex)
			}
			yes := map[bool]string{true: "yes", false: "no"}
			fmt.Fprintf(w, "%s and %s\n  same person cluster:   %s\n  same operator cluster: %s\n", ex.RecordA, ex.RecordB, yes[ex.SamePerson], yes[ex.SameOperator])
			if len(ex.Fields) > 0 {
				fmt.Fprintf(w, "person model, this pair alone (P(same person) = %.4f):\n", ex.Posterior)
				for _, f := range ex.Fields {
					fmt.Fprintf(w, "  %-14s %-40s x%.3g\n", f.Field, f.Level, f.BayesFactor)
				}
			}
			if len(ex.Shared) == 0 {
				fmt.Fprintln(w, "shared identifiers: none")
			} else {
				fmt.Fprintln(w, "shared identifiers (records holding each value):")
				for _, s := range ex.Shared {
					fmt.Fprintf(w, "  %-9s %-40s %d\n", s.Kind, s.Value, s.Holders)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}
