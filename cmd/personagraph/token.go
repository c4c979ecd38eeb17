package main

import (
	"errors"
	"fmt"
	"io/fs"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/api"
)

// newTokenCmd manages the API tokens file: add prints a new token once and stores only
// its hash; list and revoke work on names.
func newTokenCmd(g *globals) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "token add|list|revoke --tokens FILE",
		Short: "Manage API bearer tokens (stored as SHA-256 hashes in a 0600 JSON file)",
	}
	cmd.PersistentFlags().StringVar(&file, "tokens", "", "tokens file (required)")
	needFile := func(*cobra.Command, []string) error {
		if file == "" {
			return usagef("--tokens FILE is required")
		}
		return nil
	}

	var name, role string
	add := &cobra.Command{
		Use:   "add --tokens FILE --name NAME --role ingest|analyst|investigator|admin",
		Short: "Create a token and print it once; only its hash is stored",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := needFile(cmd, nil); err != nil {
				return err
			}
			r, err := api.ParseRole(role)
			if err != nil {
				return usageError{err}
			}
			k, err := api.LoadKeyring(file)
			if errors.Is(err, fs.ErrNotExist) {
				k, err = &api.Keyring{}, nil
			}
			if err != nil {
				return err
			}
			tok, err := k.Add(name, r, nil)
			if err != nil {
				return usageError{err}
			}
			if err := k.Save(file); err != nil {
				return err
			}
			fmt.Fprintln(g.stdout, tok)
			fmt.Fprintf(g.stderr, "token %q (role %s) added to %s; it is shown only now\n", name, r, file)
			return nil
		},
	}
	add.Flags().StringVar(&name, "name", "", "who or what uses the token (unique; appears in the audit log)")
	add.Flags().StringVar(&role, "role", "", "ingest, analyst, investigator or admin")

	list := &cobra.Command{
		Use:   "list --tokens FILE",
		Short: "List token names, roles and creation times (never the tokens)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := needFile(cmd, nil); err != nil {
				return err
			}
			k, err := api.LoadKeyring(file)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tROLE\tCREATED")
			for _, t := range k.Tokens {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", t.Name, t.Role, t.Created.Format("2006-01-02T15:04:05Z07:00"))
			}
			return tw.Flush()
		},
	}

	var revokeName string
	revoke := &cobra.Command{
		Use:   "revoke --tokens FILE --name NAME",
		Short: "Remove a token; a running server stops accepting it within a second",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := needFile(cmd, nil); err != nil {
				return err
			}
			k, err := api.LoadKeyring(file)
			if err != nil {
				return err
			}
			if err := k.Revoke(revokeName); err != nil {
				return err
			}
			if err := k.Save(file); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "token %q revoked\n", revokeName)
			return nil
		},
	}
	revoke.Flags().StringVar(&revokeName, "name", "", "the token's name")
	cmd.AddCommand(add, list, revoke)
	return cmd
}
