package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/graph"
)

// Exit codes (DESIGN.md section 4).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError marks an error as the caller's misuse of the command line (exit code 2).
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// globals are the flags every command shares.
type globals struct {
	data       string
	logLevel   string
	cpuProfile string
	memProfile string
	keyFile    string // --encryption-key-file: the store's AES-256 key
	cacheMiB   int    // --block-cache-mib: Badger's block cache
	log        zerolog.Logger
	stdout     io.Writer
	stderr     io.Writer
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	g := &globals{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "personagraph",
		Short:         "Find reused applicant personas: many identities run by one operator",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	stopProfile := func() {}
	defer func() { stopProfile() }()
	defaultData := os.Getenv("PERSONAGRAPH_DATA")
	if defaultData == "" {
		defaultData = "personagraph-data"
	}
	root.PersistentFlags().StringVar(&g.data, "data", defaultData, "data directory (env PERSONAGRAPH_DATA)")
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", "info", "log level: trace, debug, info, warn, error")
	root.PersistentFlags().StringVar(&g.keyFile, "encryption-key-file", os.Getenv("PERSONAGRAPH_KEY_FILE"),
		"file holding the store's AES-256 key: 32 raw bytes or 64 hex characters (env PERSONAGRAPH_KEY_FILE)")
	root.PersistentFlags().StringVar(&g.cpuProfile, "cpuprofile", "", "write a CPU profile to this file (for go tool pprof)")
	root.PersistentFlags().StringVar(&g.memProfile, "memprofile", "", "write a heap profile to this file when the work is done, before the store closes (ingest, bench checks)")
	// 64 MiB keeps a bulk load inside 1.5 GiB; a server answering POST /v1/check on a
	// large store wants more: at 1M records, 512 MiB took the check p99 of a fresh
	// process from 52-56 ms to 20-21 ms (benchmarks/RESULTS.md).
	root.PersistentFlags().IntVar(&g.cacheMiB, "block-cache-mib", 64, "Badger's block cache in MiB (more makes checks against a large store faster, at that much more memory)")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := g.setup(); err != nil {
			return err
		}
		if g.cpuProfile == "" {
			return nil
		}
		f, err := os.Create(g.cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		prev := stopProfile
		stopProfile = func() { pprof.StopCPUProfile(); f.Close(); prev() }
		return nil
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetArgs(args)
	root.AddCommand(
		newIngestCmd(g),
		newClustersCmd(g),
		newShowCmd(g),
		newHoldersCmd(g),
		newExplainCmd(g),
		newNormalizeCmd(g),
		newDemoCmd(g),
		newEvalCmd(g),
		newServeCmd(g),
		newTokenCmd(g),
		newConsumeCmd(g),
		newGenerateCmd(g),
		newBenchCmd(g),
		newBackupCmd(g),
		newRestoreCmd(g),
		newForgetCmd(g),
		newExportCmd(g),
		newSearchCmd(g),
		newCheckCmd(g),
	)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "personagraph: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) || strings.HasPrefix(err.Error(), "unknown command") {
		return exitUsage
	}
	return exitFailure
}

// setup builds the root logger: human-readable on a terminal, JSON lines otherwise.
func (g *globals) setup() error {
	lvl, err := zerolog.ParseLevel(g.logLevel)
	if err != nil || g.logLevel == "" {
		return usagef("bad --log-level %q", g.logLevel)
	}
	var w io.Writer = g.stderr
	if f, ok := g.stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		w = zerolog.ConsoleWriter{Out: f, TimeFormat: time.TimeOnly}
	}
	g.log = zerolog.New(w).Level(lvl).With().Timestamp().Logger()
	return nil
}

// storeOptions are the store options the flags give: logger and encryption key.
func (g *globals) storeOptions() (*graph.Options, error) {
	o := &graph.Options{Logger: g.log.With().Str("component", "graph").Logger(), BlockCacheSize: int64(g.cacheMiB) << 20}
	if g.keyFile != "" {
		k, err := graph.ReadKeyFile(g.keyFile)
		if err != nil {
			return nil, err
		}
		o.EncryptionKey = k
	}
	return o, nil
}

// open opens the store in the data directory and an engine over it.
func (g *globals) open(dir string) (*engine.Engine, func() error, error) {
	o, err := g.storeOptions()
	if err != nil {
		return nil, nil, err
	}
	st, err := graph.Open(dir, o)
	if err != nil {
		return nil, nil, err
	}
	e := engine.New(st, &engine.Options{Logger: g.log.With().Str("component", "engine").Logger()})
	return e, func() error { return errors.Join(e.Close(), st.Close()) }, nil
}

// heapProfile writes a heap profile to --memprofile, if given. Commands call it when their
// work is done but the store is still open, so the profile shows what the store retains.
func (g *globals) heapProfile() {
	if g.memProfile == "" {
		return
	}
	f, err := os.Create(g.memProfile)
	if err != nil {
		g.log.Error().Err(err).Msg("memprofile")
		return
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		g.log.Error().Err(err).Msg("memprofile")
	}
}

// exactArgs is cobra.ExactArgs with a usage error.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s takes %d argument(s), got %d", cmd.Name(), n, len(args))
		}
		return nil
	}
}
