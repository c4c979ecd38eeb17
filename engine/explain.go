package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// metaPersonModel names the stored person model.
// The version suffix changes with the comparison levels: a model stored with other
// levels is not read back (the next full run fits a new one).
const metaPersonModel = "person-model-v2"

// modelJSON is the stored form of a fitted fsModel.
type modelJSON struct {
	M      [numFields][]float64 `json:"m"`
	U      [numFields][]float64 `json:"u"`
	Lambda float64              `json:"lambda"`
	Names  int                  `json:"records"`
}

func (md *fsModel) marshal(records int) ([]byte, error) {
	var j modelJSON
	for f := range numFields {
		j.M[f] = append([]float64(nil), md.m[f][:fieldLevels[f]]...)
		j.U[f] = append([]float64(nil), md.u[f][:fieldLevels[f]]...)
	}
	j.Lambda, j.Names = md.lambda, records
	return json.Marshal(j)
}

// unmarshalModel returns a stored model and the number of records it was fitted on.
func unmarshalModel(b []byte) (*fsModel, int, error) {
	var j modelJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, 0, err
	}
	md := &fsModel{lambda: j.Lambda}
	for f := range numFields {
		if len(j.M[f]) != fieldLevels[f] || len(j.U[f]) != fieldLevels[f] {
			return nil, 0, fmt.Errorf("engine: stored model has %d levels for field %d, want %d", len(j.M[f]), f, fieldLevels[f])
		}
		copy(md.m[f][:], j.M[f])
		copy(md.u[f][:], j.U[f])
	}
	return md, j.Names, nil
}

// FieldEvidence is one compared field of a pair.
type FieldEvidence struct {
	Field string `json:"field"`
	Level string `json:"level"`
	// BayesFactor is m/u of the level: above 1 supports "same person", below 1 opposes
	// it; 1 when the field is missing on either side.
	BayesFactor float64 `json:"bayes_factor"`
}

// SharedValue is an identifier both records' clusters hold.
type SharedValue struct {
	Kind    string `json:"kind"`
	Value   string `json:"value"`
	Holders int    `json:"holders"` // records holding it in the whole store
}

// Explanation says why two records are, or are not, clustered together.
type Explanation struct {
	RecordA      string `json:"record_a"`
	RecordB      string `json:"record_b"`
	SamePerson   bool   `json:"same_person"`
	SameOperator bool   `json:"same_operator"`
	// Fields and Posterior are the person model's view of the pair on its own: the
	// probability that the two records are one human from their fields alone. Records
	// can still share a person cluster through others (transitively).
	Fields    []FieldEvidence `json:"fields"`
	Posterior float64         `json:"posterior"`
	// Rule names a rule that keeps the pair apart whatever the posterior says:
	// "stolen_identity" (stolenIdentity) or "separate_channels" (separateChannels); empty
	// when none applies.
	Rule string `json:"rule,omitempty"`
	// Shared lists the identifiers the two records hold in common.
	Shared []SharedValue `json:"shared"`
}

var fieldNames = [numFields]string{fName: "name", fDOB: "date_of_birth", fAddress: "address", fEmail: "email", fPhone: "phone", fDoc: "document"}

var levelNames = [numFields][]string{
	fName:    {"equal", "very similar (every token alike: Jaro-Winkler >= 0.92, mean >= 0.94)", "same phonetic key", "similar (per-token mean >= 0.85, each >= 0.8, or one name within the other)", "a token in common, others different", "different"},
	fDOB:     {"equal", "one digit off, two adjacent digits or day/month swapped", "two digits off", "same year", "different"},
	fAddress: {"same address", "same address but for a typo in street or postcode", "same postcode", "different"},
	fEmail:   {"shared", "one or two typos apart", "none alike"},
	fPhone:   {"shared", "one or two digits off", "none alike"},
	fDoc:     {"shared", "one or two characters off", "none alike"},
}

// Explain compares two stored records with the person model the last clustering fitted,
// and lists what they share.
func (e *Engine) Explain(ctx context.Context, a, b string) (*Explanation, error) {
	if err := e.EnsureClustered(ctx); err != nil {
		return nil, err
	}
	ra, err := e.store.Record(ctx, a)
	if err != nil {
		return nil, err
	}
	rb, err := e.store.Record(ctx, b)
	if err != nil {
		return nil, err
	}
	ex := &Explanation{RecordA: a, RecordB: b,
		SamePerson:   ra.Clusters[graph.Person] != "" && ra.Clusters[graph.Person] == rb.Clusters[graph.Person],
		SameOperator: ra.Clusters[graph.Operator] != "" && ra.Clusters[graph.Operator] == rb.Clusters[graph.Operator],
	}
	var fa, fb features
	for _, id := range ra.Identifiers {
		fa.add(id.Kind, id.Value)
	}
	for _, id := range rb.Identifiers {
		fb.add(id.Kind, id.Value)
	}
	raw, err := e.store.Meta(ctx, metaPersonModel)
	switch {
	case errors.Is(err, graph.ErrNotFound):
		// An empty store was clustered without fitting: no model to explain with.
	case err != nil:
		return nil, err
	default:
		md, _, err := unmarshalModel(raw)
		if err != nil {
			return nil, err
		}
		p := compare(&fa, &fb)
		for f := range numFields {
			l := p.level(f)
			fe := FieldEvidence{Field: fieldNames[f], Level: "missing", BayesFactor: 1}
			if l < fieldLevels[f] {
				fe.Level = levelNames[f][l]
				fe.BayesFactor = md.m[f][l] / md.u[f][l]
			}
			ex.Fields = append(ex.Fields, fe)
		}
		ex.Posterior = math.Round(md.posterior(p)*1e4) / 1e4
		ex.Rule = keptApart(p, ra.Signals, rb.Signals, &fa, &fb)
	}
	held := make(map[string]bool, len(rb.Identifiers))
	for _, id := range rb.Identifiers {
		held[string(id.Kind)+"\x00"+id.Value] = true
	}
	for _, id := range ra.Identifiers {
		if !held[string(id.Kind)+"\x00"+id.Value] || id.Kind == ingest.KindNameKey || id.Kind == ingest.KindDOB {
			continue
		}
		h, err := e.store.Holders(ctx, id.Kind, id.Value)
		if err != nil {
			return nil, err
		}
		ex.Shared = append(ex.Shared, SharedValue{Kind: string(id.Kind), Value: id.Value, Holders: len(h)})
	}
	slices.SortFunc(ex.Shared, func(x, y SharedValue) int { return x.Holders - y.Holders })
	return ex, nil
}
