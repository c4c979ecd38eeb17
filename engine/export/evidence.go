package export

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// FormatVersion is the version of the Evidence JSON layout. It grows when a field changes
// meaning; new optional fields do not bump it.
const FormatVersion = 1

// Source is what Gather reads through; *engine.Engine implements it. Cluster must return
// clusters that are current (the engine re-clusters first when records changed).
type Source interface {
	Cluster(ctx context.Context, id string) (*graph.Cluster, error)
	Record(ctx context.Context, id string) (*graph.StoredRecord, error)
}

// Evidence is everything an export says about one cluster. Every slice is sorted, so one
// cluster gathered twice from the same store writes the same bytes (Generated aside).
type Evidence struct {
	FormatVersion int       `json:"format_version"`
	Generated     time.Time `json:"generated"` // when the evidence was gathered, UTC
	Cluster       Summary   `json:"cluster"`
	// Members are the cluster's records, by record id.
	Members []Member `json:"members"`
	// Values are the identifier values two or more members share: the cluster's evidence.
	Values []Value `json:"values"`
	// Links are the record pairs each shared value ties, one per pair and value.
	Links []Link `json:"links"`
	// Flags say which values and records raised each of the cluster's flags.
	Flags    []Flag  `json:"flags"`
	Timeline []Event `json:"timeline"`
	// Missing lists members whose record could not be read, e.g. forgotten between the
	// cluster's last run and the export. They are absent from Members.
	Missing []string `json:"missing,omitempty"`
}

// Summary is the cluster itself.
type Summary struct {
	ID    string   `json:"cluster_id"`
	Level string   `json:"level"`
	Size  int      `json:"size"`
	Risk  float64  `json:"risk"`
	Flags []string `json:"flags"`
}

// Member is one record of the cluster as the store holds it now.
type Member struct {
	RecordID  string    `json:"record_id"`
	Version   int       `json:"version"`
	Source    string    `json:"source"`
	Event     string    `json:"event,omitempty"`
	PersonaID string    `json:"persona_id,omitempty"`
	Name      string    `json:"name,omitempty"`
	Observed  time.Time `json:"observed_at"`
	// Persona is the record's person cluster (one human's records); a persona of its own
	// when the record has none.
	Persona     string              `json:"persona"`
	Identifiers []ingest.Identifier `json:"identifiers"`
	// Record is the current version's canonical JSON, unknown fields included.
	Record json.RawMessage `json:"record"`

	rec     ingest.Record // Record decoded, for the writers that need structured fields
	history []Event       // every version's event, when the source has versions
}

// Value is an identifier value held by two or more members.
type Value struct {
	Kind    string   `json:"kind"`
	Value   string   `json:"value"`
	Records []string `json:"records"`
	// Personas is how many distinct personas (person clusters) hold the value: a value
	// shared inside one persona is a re-application, across personas an operator signal.
	Personas int `json:"personas"`
}

// Key is the value's "kind:value" form.
func (v Value) Key() string { return v.Kind + ":" + v.Value }

// Link is two records tied by one shared value. Weight is the engine's weight for the
// link when it exposes one; the engine does not yet, so it is nil and left out.
type Link struct {
	A      string   `json:"a"`
	B      string   `json:"b"`
	Kind   string   `json:"kind"`
	Value  string   `json:"value"`
	Weight *float64 `json:"weight,omitempty"`
}

// Flag is one cluster flag with what raised it.
type Flag struct {
	Name string `json:"flag"`
	// Basis says how the flag arises: "shared_value" (a value held by several
	// personas), "record_signal" (a fact about single records) or "personas" (the count
	// of personas); "" for a flag this exporter does not know.
	Basis   string     `json:"basis"`
	Values  []ValueRef `json:"values"`
	Records []string   `json:"records"`
}

// ValueRef names an identifier value, or for record signals the fact observed (kind
// "interview", value "camera_off").
type ValueRef struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// Event is one member's observation in time.
type Event struct {
	At       time.Time `json:"at"`
	RecordID string    `json:"record_id"`
	Source   string    `json:"source"`
	Event    string    `json:"event,omitempty"`
	Name     string    `json:"name,omitempty"`
	Persona  string    `json:"persona"`
	// Version is the record's version this event is (with a VersionSource; 0 otherwise),
	// and Changes what changed since the version before: address, payment, email, phone,
	// device.
	Version int      `json:"version,omitempty"`
	Changes []string `json:"changes,omitempty"`
}

// Gather reads a cluster and its members from src. A member that is gone is listed in
// Missing rather than failing the export; any other read error fails it.
func Gather(ctx context.Context, src Source, clusterID string) (*Evidence, error) {
	c, err := src.Cluster(ctx, clusterID)
	if err != nil {
		return nil, fmt.Errorf("export: cluster %s: %w", clusterID, err)
	}
	ev := &Evidence{
		FormatVersion: FormatVersion,
		Generated:     time.Now().UTC().Truncate(time.Second),
		Cluster:       Summary{ID: c.ID, Level: c.Level, Size: c.Size, Risk: c.Risk, Flags: slices.Clone(c.Flags)},
	}
	if ev.Cluster.Flags == nil {
		ev.Cluster.Flags = []string{}
	}
	slices.Sort(ev.Cluster.Flags)
	ids := slices.Clone(c.Records)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, err := src.Record(ctx, id)
		if errors.Is(err, graph.ErrNotFound) {
			ev.Missing = append(ev.Missing, id)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("export: record %s: %w", id, err)
		}
		ev.Members = append(ev.Members, newMember(r))
	}
	if vs, ok := src.(VersionSource); ok {
		for i := range ev.Members {
			if m := &ev.Members[i]; m.Version > 1 {
				h, err := history(ctx, vs, m)
				if err != nil {
					return nil, fmt.Errorf("export: history of %s: %w", m.RecordID, err)
				}
				m.history = h
			}
		}
	}
	ev.build(c.Evidence)
	return ev, nil
}

func newMember(r *graph.StoredRecord) Member {
	m := Member{RecordID: r.ID, Version: r.Version, Observed: r.ObservedAt.UTC(), Record: json.RawMessage(r.JSON),
		Identifiers: slices.Clone(r.Identifiers)}
	if m.Identifiers == nil {
		m.Identifiers = []ingest.Identifier{}
	}
	// The stored JSON passed ingest.Parse once; decoding it again cannot fail short of
	// store corruption, and then the export still carries the raw JSON.
	_ = json.Unmarshal(r.JSON, &m.rec)
	m.Source, m.Event, m.PersonaID, m.Name = m.rec.Source, m.rec.Event, m.rec.PersonaID, m.rec.Name.Display()
	m.Persona = r.Clusters[graph.Person]
	if m.Persona == "" {
		m.Persona = "record:" + r.ID
	}
	return m
}

// build derives values, links, flags and the timeline from the members and the
// cluster's evidence. Evidence naming records outside the members (missing ones) keeps
// only the members.
func (ev *Evidence) build(evidence []graph.Evidence) {
	persona := make(map[string]string, len(ev.Members))
	for _, m := range ev.Members {
		persona[m.RecordID] = m.Persona
	}
	for _, e := range evidence {
		v := Value{Kind: e.Kind, Value: e.Value}
		ps := map[string]bool{}
		for _, r := range e.Records {
			if p, ok := persona[r]; ok {
				v.Records = append(v.Records, r)
				ps[p] = true
			}
		}
		slices.Sort(v.Records)
		v.Records = slices.Compact(v.Records)
		if len(v.Records) < 2 {
			continue
		}
		v.Personas = len(ps)
		ev.Values = append(ev.Values, v)
	}
	slices.SortFunc(ev.Values, func(a, b Value) int {
		return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.Value, b.Value))
	})
	ev.Values = slices.CompactFunc(ev.Values, func(a, b Value) bool { return a.Kind == b.Kind && a.Value == b.Value })
	ev.Links = []Link{}
	for _, v := range ev.Values {
		for i, a := range v.Records {
			for _, b := range v.Records[i+1:] {
				ev.Links = append(ev.Links, Link{A: a, B: b, Kind: v.Kind, Value: v.Value})
			}
		}
	}
	slices.SortFunc(ev.Links, func(x, y Link) int {
		return cmp.Or(strings.Compare(x.A, y.A), strings.Compare(x.B, y.B), strings.Compare(x.Kind, y.Kind), strings.Compare(x.Value, y.Value))
	})
	if ev.Values == nil {
		ev.Values = []Value{}
	}
	ev.Flags = make([]Flag, 0, len(ev.Cluster.Flags))
	for _, f := range ev.Cluster.Flags {
		ev.Flags = append(ev.Flags, ev.flagEvidence(f))
	}
	ev.Timeline = make([]Event, 0, len(ev.Members))
	for _, m := range ev.Members {
		if len(m.history) > 0 {
			ev.Timeline = append(ev.Timeline, m.history...)
			continue
		}
		ev.Timeline = append(ev.Timeline, Event{At: m.Observed, RecordID: m.RecordID, Source: m.Source, Event: m.Event, Name: m.Name, Persona: m.Persona})
	}
	slices.SortFunc(ev.Timeline, func(a, b Event) int {
		return cmp.Or(a.At.Compare(b.At), strings.Compare(a.RecordID, b.RecordID), cmp.Compare(a.Version, b.Version))
	})
	if ev.Members == nil {
		ev.Members = []Member{}
	}
}

// flagEvidence finds the values and records behind one flag.
func (ev *Evidence) flagEvidence(name string) Flag {
	f := Flag{Name: name, Values: []ValueRef{}, Records: []string{}}
	add := func(kind, value string, recs ...string) {
		if value != "" {
			f.Values = append(f.Values, ValueRef{Kind: kind, Value: value})
		}
		f.Records = append(f.Records, recs...)
	}
	// The engine defines which values raise which flag (engine.SharedFlagKind,
	// engine.SignalSource). It raises a shared-value flag only for values that do not
	// look like a benign hub, which the stored cluster does not say, so a benign value
	// of the same kind may be listed too.
	if kind, minPersonas, ok := engine.SharedFlagRule(name); ok {
		f.Basis = "shared_value"
		for _, v := range ev.Values {
			if v.Kind == string(kind) && v.Personas >= minPersonas {
				add(v.Kind, v.Value, v.Records...)
			}
		}
	} else if name == "address_churn" {
		f.Basis = "record_history"
		for _, m := range ev.Members {
			for _, id := range m.Identifiers {
				if id.Kind == ingest.KindAddress {
					add(string(id.Kind), id.Value, m.RecordID)
				}
			}
		}
	} else if kind, idFlag, ok := engine.SignalSource(name); ok {
		f.Basis = "record_signal"
		for _, m := range ev.Members {
			for _, id := range m.Identifiers {
				if id.Kind == kind && id.HasFlag(idFlag) {
					add(string(id.Kind), id.Value, m.RecordID)
				}
			}
		}
	} else if name == "video_avoidance" {
		f.Basis = "record_signal"
		for _, m := range ev.Members {
			if iv := m.rec.Interview; engine.VideoAvoided(iv) {
				add("interview", iv.Video, m.RecordID)
			}
		}
	} else if name == "many_personas" {
		f.Basis = "personas"
		for _, m := range ev.Members {
			add("persona", m.Persona, m.RecordID)
		}
	}
	slices.SortFunc(f.Values, func(a, b ValueRef) int {
		return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.Value, b.Value))
	})
	f.Values = slices.Compact(f.Values)
	slices.Sort(f.Records)
	f.Records = slices.Compact(f.Records)
	return f
}

// member returns the member with a record id; nil if none.
func (ev *Evidence) member(id string) *Member {
	i, ok := slices.BinarySearchFunc(ev.Members, id, func(m Member, id string) int { return strings.Compare(m.RecordID, id) })
	if !ok {
		return nil
	}
	return &ev.Members[i]
}
