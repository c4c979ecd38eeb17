package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/engine/export"
)

func newExportCmd(g *globals) *cobra.Command {
	var cluster, format, out string
	cmd := &cobra.Command{
		Use:   "export --cluster ID --format FORMAT --out PATH",
		Short: "Export one cluster's evidence for investigators (JSON, CSV, GraphML, GEXF, FtM, STIX, HTML, bundle)",
		Long: `Export one cluster's evidence: its records, the identifiers they share, the links, the
flags with what raised them, and the timeline.

Formats: json (everything), csv (one file with a section column; or, when --out is a
directory or ends in /, members.csv, identifiers.csv and links.csv), graphml and gexf
(Gephi), ftm (FollowTheMoney NDJSON for Aleph), stix (a STIX 2.1 bundle), html (a
printable report with the graph picture), and bundle: a directory with all of these and
manifest.json, which lists each file's SHA-256; "personagraph export verify DIR" checks
them later. --out - writes a single-file format to standard output.`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) > 0:
				return usagef("export takes no arguments, got %q (did you mean --cluster %s?)", args, args[0])
			case cluster == "":
				return usagef("--cluster is required")
			case !slices.Contains(export.FormatNames(), format):
				return usagef("unknown --format %q (want %s)", format, strings.Join(export.FormatNames(), ", "))
			case out == "":
				return usagef("--out is required: a file, a directory (bundle, csv tables) or - for standard output")
			case out == "-" && format == "bundle":
				return usagef("--format bundle writes a directory; give one with --out")
			}
			return nil
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
			ev, err := export.Gather(ctx, e, cluster)
			if err != nil {
				return err
			}
			switch {
			case format == "bundle":
				m, err := export.WriteBundle(out, ev, &export.BundleOptions{
					Query: fmt.Sprintf("personagraph export --cluster %s --format bundle", cluster)})
				if err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "wrote %d files and %s to %s\nmanifest sha256 %s (keep it with your case notes)\n",
					len(m.Files), export.ManifestName, out, m.Digest)
				return nil
			case format == "csv" && isDirTarget(out):
				if err := os.MkdirAll(out, 0o700); err != nil {
					return err
				}
				if err := export.WriteCSVDir(out, ev); err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "wrote %s to %s\n", strings.Join(export.CSVFiles(), ", "), out)
				return nil
			}
			f, _ := export.Lookup(format) // Args checked the name
			if out == "-" {
				return f.Write(g.stdout, ev)
			}
			if err := writeExportFile(out, func(w io.Writer) error { return f.Write(w, ev) }); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "wrote %s (%s, %d records)\n", out, f.Name, len(ev.Members))
			return nil
		},
	}
	cmd.Flags().StringVar(&cluster, "cluster", "", "cluster id (o-... or p-...), as `clusters` lists them")
	cmd.Flags().StringVar(&format, "format", "json", "format: "+strings.Join(export.FormatNames(), ", "))
	cmd.Flags().StringVar(&out, "out", "", "output file, directory (bundle; csv tables) or - for standard output")
	cmd.AddCommand(newExportVerifyCmd(g))
	return cmd
}

func newExportVerifyCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "verify DIR",
		Short: "Check that an exported bundle's files still match its manifest",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := export.Verify(args[0]); err != nil {
				return err
			}
			m, err := export.ReadManifest(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "ok: %d files match the manifest of cluster %s (created %s)\nmanifest sha256 %s\n",
				len(m.Files), m.ClusterID, m.Created.Format("2006-01-02T15:04:05Z07:00"), m.Digest)
			return nil
		},
	}
}

// isDirTarget reports whether an --out path names a directory: it ends in a separator or
// is an existing directory.
func isDirTarget(path string) bool {
	if strings.HasSuffix(path, string(os.PathSeparator)) || strings.HasSuffix(path, "/") {
		return true
	}
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// writeExportFile writes path through a temporary file in the same directory and renames it
// into place, so a failed export never leaves a truncated file that looks complete.
// The file is owner-only: it holds personal data.
func writeExportFile(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".export-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
