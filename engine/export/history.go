package export

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// VersionSource is a Source that also reads a record's earlier versions; *engine.Engine
// is one. With it, the timeline shows every version of a member (an application, then
// the interview, then onboarding under one record id) and what changed between them:
// address and payout changes over time are signals (DOMAIN.md S10, S17, S20).
type VersionSource interface {
	Source
	Versions(ctx context.Context, id string) ([]graph.Version, error)
}

// history returns the events of a member's versions, oldest first, each naming what
// changed since the version before (changes of contact and payout details only).
func history(ctx context.Context, src VersionSource, m *Member) ([]Event, error) {
	vs, err := src.Versions(ctx, m.RecordID)
	if err != nil {
		return nil, err
	}
	var out []Event
	var prev *ingest.Record
	for _, v := range vs {
		rec, err := ingest.Parse(v.JSON, 1)
		if err != nil {
			return nil, fmt.Errorf("record %s version %d: %w", m.RecordID, v.Version, err)
		}
		e := Event{At: rec.Observed.UTC(), RecordID: m.RecordID, Source: rec.Source, Event: rec.Event,
			Name: rec.Name.Display(), Persona: m.Persona, Version: v.Version}
		if prev != nil {
			e.Changes = changes(prev, rec)
		}
		out = append(out, e)
		prev = rec
	}
	return out, nil
}

// changes names the contact and payout details that differ between two versions.
func changes(a, b *ingest.Record) []string {
	var out []string
	differ := func(name string, x, y []string) {
		slices.Sort(x)
		slices.Sort(y)
		if !slices.Equal(slices.Compact(x), slices.Compact(y)) {
			out = append(out, name)
		}
	}
	addr := func(r *ingest.Record) []string {
		var s []string
		for _, a := range r.Addresses {
			s = append(s, strings.ToLower(strings.Join([]string{a.Text, a.Line1, a.Line2, a.City, a.Region, a.Postcode, a.Country}, "|")))
		}
		return s
	}
	pay := func(r *ingest.Record) []string {
		var s []string
		for _, p := range r.Payments {
			s = append(s, p.Kind+"|"+p.Value)
		}
		return s
	}
	dev := func(r *ingest.Record) []string {
		var s []string
		for _, d := range r.Devices {
			s = append(s, d.Fingerprint)
		}
		return s
	}
	differ("address", addr(a), addr(b))
	differ("payment", pay(a), pay(b))
	differ("email", slices.Clone(a.Emails), slices.Clone(b.Emails))
	differ("phone", slices.Clone(a.Phones), slices.Clone(b.Phones))
	differ("device", dev(a), dev(b))
	return out
}
