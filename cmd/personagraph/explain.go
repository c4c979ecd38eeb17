package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/engine"
)

func newExplainCmd(g *globals) *cobra.Command {
	var format, cluster string
	cmd := &cobra.Command{
		Use:   "explain RECORD_A RECORD_B | --cluster ID",
		Short: "Say why two records are or are not one person or one operator, or what would split a cluster",
		Long: "explain RECORD_A RECORD_B gives the field evidence and shared values of a pair.\n" +
			"explain --cluster ID lists the cluster's bridging values: each shared value whose removal\n" +
			"splits the cluster's evidence graph, with the records of each part.",
		Args: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usagef("unknown --format %q (want text or json)", format)
			}
			if cluster != "" {
				return exactArgs(0)(cmd, args)
			}
			return exactArgs(2)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			e, closeStore, err := g.open(g.data)
			if err != nil {
				return err
			}
			defer closeStore()
			if cluster != "" {
				return printBridges(cmd.Context(), g, e, cluster, format)
			}
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
				switch ex.Rule {
				case "stolen_identity":
					fmt.Fprintln(w, "  kept apart: the e-mails and phones all differ and only one record shows an operator's signal (a persona on a stolen identity)")
				case "separate_channels":
					fmt.Fprintln(w, "  kept apart: the e-mails, phones and devices all differ and no date of birth or document agrees (namesakes at one address)")
				}
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
	cmd.Flags().StringVar(&cluster, "cluster", "", "explain a cluster instead: list the shared values that would split it")
	return cmd
}

// printBridges prints what would split a cluster.
func printBridges(ctx context.Context, g *globals, e *engine.Engine, id, format string) error {
	bs, err := e.Bridges(ctx, id)
	if err != nil {
		return err
	}
	w := g.stdout
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if bs == nil {
			bs = []engine.Bridge{}
		}
		return enc.Encode(bs)
	}
	if len(bs) == 0 {
		fmt.Fprintf(w, "%s: no single shared value splits this cluster\n", id)
		return nil
	}
	fmt.Fprintf(w, "%s: shared values whose removal splits the cluster\n", id)
	for _, b := range bs {
		fmt.Fprintf(w, "  %s %s splits it into %d parts:\n", b.Kind, b.Value, len(b.Parts))
		for _, p := range b.Parts {
			fmt.Fprintf(w, "    %d: %s\n", len(p), strings.Join(p, " "))
		}
	}
	return nil
}
