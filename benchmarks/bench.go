package benchmarks

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/personagraph/personagraph/fixtures"
)

// Config says which suites Run runs. The zero value runs nothing.
type Config struct {
	// DatasetsDir holds the public labelled sets (../shared/datasets); empty skips them.
	DatasetsDir string
	// People is the number of genuine people in each generated tier population.
	People int
	// Tiers are the generated populations to evaluate at both levels.
	Tiers []fixtures.Tier
	// SpeedPeople are the population sizes (genuine people, tier T1) of the speed suite.
	SpeedPeople []int
	// Seed seeds the generated populations.
	Seed uint64
	// WorkDir holds stores and generated files while they are used. Default os.TempDir().
	WorkDir string
	// Progress, when set, is told what runs next.
	Progress func(msg string)
}

// Run runs the accuracy suite (public sets, then generated tiers) and the speed suite.
func Run(ctx context.Context, cfg Config) ([]Result, []SpeedResult, error) {
	say := cfg.Progress
	if say == nil {
		say = func(string) {}
	}
	work, err := os.MkdirTemp(cfg.WorkDir, "personagraph-bench-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(work)
	var datasets []Dataset
	if cfg.DatasetsDir != "" {
		datasets = PublicDatasets(cfg.DatasetsDir)
	}
	for _, t := range cfg.Tiers {
		say(fmt.Sprintf("generating tier %s, %d people", t, cfg.People))
		ds, err := GenerateDataset(ctx, work, fixtures.Config{People: cfg.People, Tier: t, Seed: cfg.Seed})
		if err != nil {
			return nil, nil, err
		}
		datasets = append(datasets, ds)
	}
	var acc []Result
	for _, ds := range datasets {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		say("accuracy: " + ds.Name)
		rs, err := RunAccuracy(ctx, ds, work)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", ds.Name, err)
		}
		acc = append(acc, rs...)
	}
	var speed []SpeedResult
	for _, n := range cfg.SpeedPeople {
		say(fmt.Sprintf("speed: tier T1, %d people", n))
		gc := fixtures.Config{People: n, Tier: fixtures.T1, Seed: cfg.Seed, TempDir: work}
		res, err := RunSpeed(ctx, work, func(w io.Writer) error {
			_, err := fixtures.Generate(ctx, gc, w, io.Discard, io.Discard)
			return err
		})
		if err != nil {
			return nil, nil, fmt.Errorf("speed %d: %w", n, err)
		}
		speed = append(speed, res)
	}
	return acc, speed, nil
}

// GenerateDataset writes a generated population's records, truth and must-not-link
// files under dir and returns it as a Dataset evaluated at both levels.
func GenerateDataset(ctx context.Context, dir string, cfg fixtures.Config) (Dataset, error) {
	cfg.EnsureDefaults()
	if cfg.TempDir == "" {
		cfg.TempDir = dir
	}
	sub := filepath.Join(dir, fmt.Sprintf("gen-%s-%d-%d", cfg.Tier, cfg.People, cfg.Seed))
	if err := os.MkdirAll(sub, 0o700); err != nil {
		return Dataset{}, err
	}
	ds := Dataset{
		Name:        fmt.Sprintf("generated %s, %d people", cfg.Tier, cfg.People),
		Records:     []string{filepath.Join(sub, "records.ndjson")},
		Truth:       []string{filepath.Join(sub, "truth.ndjson")},
		MustNotLink: filepath.Join(sub, "must_not_link.ndjson"),
		Levels:      []Level{LevelPerson, LevelOperator},
	}
	var files []*os.File
	var bufs []*bufio.Writer
	for _, p := range []string{ds.Records[0], ds.Truth[0], ds.MustNotLink} {
		f, err := os.Create(p)
		if err != nil {
			return Dataset{}, err
		}
		defer f.Close()
		files = append(files, f)
		bufs = append(bufs, bufio.NewWriterSize(f, 1<<20))
	}
	if _, err := fixtures.Generate(ctx, cfg, bufs[0], bufs[1], bufs[2]); err != nil {
		return Dataset{}, err
	}
	for i, b := range bufs {
		if err := b.Flush(); err != nil {
			return Dataset{}, err
		}
		if err := files[i].Close(); err != nil {
			return Dataset{}, err
		}
	}
	return ds, nil
}
