package benchmarks

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/personagraph/personagraph/ingest"
)

// Level is the cluster layer being evaluated (DESIGN.md section 2).
type Level string

// The two layers.
const (
	LevelPerson   Level = "person"   // records of one human
	LevelOperator Level = "operator" // persons tied by one operator
)

// ParseLevel reads "person" or "operator".
func ParseLevel(s string) (Level, error) {
	switch Level(s) {
	case LevelPerson, LevelOperator:
		return Level(s), nil
	}
	return "", fmt.Errorf("level %q: want person or operator", s)
}

// Truth is the ground truth of a labelled population: each record's person and, for
// operator personas, its operator.
type Truth struct {
	persons   *Partition        // record -> person id
	operators *Partition        // record -> operator id, only records that have one
	personOp  map[string]string // person id -> operator id ("" for genuine people)
}

// NewTruth returns an empty truth.
func NewTruth() *Truth {
	return &Truth{persons: NewPartition(), operators: NewPartition(), personOp: make(map[string]string)}
}

// Add records that recordID belongs to personID and, when operatorID is not empty, to
// that operator. A record given two persons, or a person given two operators (or an
// operator on one record and none on another), is an error wrapping ErrConflict.
func (t *Truth) Add(recordID, personID, operatorID string) error {
	if recordID == "" || personID == "" {
		return errors.New("truth needs a record_id and a person_id")
	}
	if prev, ok := t.personOp[personID]; ok && prev != operatorID {
		return fmt.Errorf("person %q has operator %q and %q: %w", personID, prev, operatorID, ErrConflict)
	}
	if err := t.persons.Add(recordID, personID); err != nil {
		return err
	}
	t.personOp[personID] = operatorID
	if operatorID != "" {
		return t.operators.Add(recordID, operatorID)
	}
	return nil
}

// Persons is the person-level truth: record -> person id.
func (t *Truth) Persons() *Partition { return t.persons }

// Operators maps only the records of operator personas to their operator id; ring
// recall is computed over it.
func (t *Truth) Operators() *Partition { return t.operators }

// Len is the number of records with a truth.
func (t *Truth) Len() int { return t.persons.Len() }

// At returns the truth partition of a level. At operator level a record belongs to its
// operator when it has one, else to its person: a genuine applicant is their own
// "operator". Cluster ids are prefixed ("operator:", "person:") so that an operator and
// a person that happen to share an id stay apart.
func (t *Truth) At(level Level) (*Partition, error) {
	switch level {
	case LevelPerson:
		return t.persons, nil
	case LevelOperator:
		p := NewPartition()
		for rec, person := range t.persons.All() {
			c := "person:" + person
			if op, ok := t.operators.Cluster(rec); ok {
				c = "operator:" + op
			}
			if err := p.Add(rec, c); err != nil {
				return nil, err
			}
		}
		return p, nil
	}
	return nil, fmt.Errorf("level %q: want person or operator", level)
}

// truthLine is one line of the truth NDJSON of DESIGN.md section 3.
type truthLine struct {
	RecordID   string `json:"record_id"`
	PersonID   string `json:"person_id"`
	OperatorID string `json:"operator_id"`
	RingID     string `json:"ring_id"`
}

// maxTruthLine bounds a truth line; real ones are about 100 bytes.
const maxTruthLine = 1 << 20

// ReadTruth reads truth NDJSON: {"record_id", "person_id", "operator_id", "ring_id"}.
func ReadTruth(r io.Reader) (*Truth, error) {
	t := NewTruth()
	if err := t.ReadNDJSON(r); err != nil {
		return nil, err
	}
	return t, nil
}

// ReadNDJSON adds the lines of a truth NDJSON stream. Truth must be clean: any bad line
// is an error naming it, because a silently skipped truth line would distort every
// figure. ring_id is read but not used (operators are the unit of ring recall).
func (t *Truth) ReadNDJSON(r io.Reader) error {
	return eachJSONLine(r, "truth", maxTruthLine, func(tl *truthLine) error {
		return t.Add(tl.RecordID, tl.PersonID, tl.OperatorID)
	})
}

// TruthRule says how a public dataset encodes its entities.
type TruthRule string

// The rules of the public datasets (datasets/README.md).
const (
	// RuleFEBRL: rec_id is rec-<N>-org or rec-<N>-dup-<k>; the entity is N.
	RuleFEBRL TruthRule = "febrl"
	// RuleDsgen: rec_id is a number whose last digit is the duplicate number; the
	// entity is the number without it.
	RuleDsgen TruthRule = "dsgen"
	// RuleColumn: the entity is the first non-empty truth column of the mapping
	// (Splink cluster or group, RLdata ent_id).
	RuleColumn TruthRule = "column"
)

// PresetTruthRule returns the rule for an ingest preset's datasets.
func PresetTruthRule(preset string) (TruthRule, bool) {
	switch preset {
	case "febrl":
		return RuleFEBRL, true
	case "febrl_dsgen":
		return RuleDsgen, true
	case "splink", "rldata":
		return RuleColumn, true
	}
	return "", false
}

// EntityFromID derives the entity of a record from its id under RuleFEBRL or RuleDsgen.
func EntityFromID(rule TruthRule, id string) (string, error) {
	switch rule {
	case RuleFEBRL:
		rest, ok := strings.CutPrefix(id, "rec-")
		n, kind, ok2 := strings.Cut(rest, "-")
		if !ok || !ok2 || n == "" || !(kind == "org" || strings.HasPrefix(kind, "dup-")) {
			return "", fmt.Errorf("FEBRL id %q: want rec-N-org or rec-N-dup-K", id)
		}
		return n, nil
	case RuleDsgen:
		n, err := strconv.ParseUint(id, 10, 64)
		if err != nil {
			return "", fmt.Errorf("dsgen id %q: want a number", id)
		}
		// Numeric division, so that ids 0 to 9 (entity 0) get "0", not "".
		return strconv.FormatUint(n/10, 10), nil
	}
	return "", fmt.Errorf("rule %q does not derive entities from ids", rule)
}

// CSVTruthStats counts what ReadCSV saw.
type CSVTruthStats struct {
	Rows       int      // rows read, good or bad
	Rejected   int      // rows the CSV reader rejected (still labelled when possible)
	Unlabelled int      // rows whose entity could not be derived: left out of the truth
	Examples   []string // the first few reasons for Unlabelled rows
}

const maxExamples = 5

// ReadCSV adds the truth of a public dataset read through the same mapping that ingests
// it, so record ids agree with what the engine stored. Rows the reader rejects are still
// labelled when their id (and truth cell) can be read: ingest rejected them too, and
// evaluation must then report them as missing from the prediction rather than forget
// them. Call it once per file (FEBRL 4a and 4b share entities across files).
func (t *Truth) ReadCSV(r io.Reader, m *ingest.Mapping, rule TruthRule) (CSVTruthStats, error) {
	var st CSVTruthStats
	if rule != RuleFEBRL && rule != RuleDsgen && rule != RuleColumn {
		return st, fmt.Errorf("truth rule %q: want febrl, dsgen or column", rule)
	}
	cr, err := ingest.NewCSVReader(r, m)
	if err != nil {
		return st, fmt.Errorf("truth from CSV: %w", err)
	}
	if rule == RuleColumn && len(cr.TruthColumns()) == 0 {
		return st, errors.New("truth from CSV: the mapping's truth columns are not in the header")
	}
	unlabelled := func(format string, a ...any) {
		st.Unlabelled++
		if len(st.Examples) < maxExamples {
			st.Examples = append(st.Examples, fmt.Sprintf(format, a...))
		}
	}
	for {
		rec, err := cr.Next()
		if errors.Is(err, io.EOF) {
			return st, nil
		}
		var id string
		var pe *ingest.ParseError
		switch {
		case err == nil:
			id = rec.RecordID
		case errors.As(err, &pe):
			st.Rejected++
			id = pe.RecordID
		default:
			return st, fmt.Errorf("truth from CSV: %w", err)
		}
		st.Rows++
		if id == "" {
			unlabelled("line %d: no record id", cr.Line())
			continue
		}
		var entity string
		if rule == RuleColumn {
			for _, v := range cr.Truth() {
				if v != "" {
					entity = v
					break
				}
			}
			if entity == "" {
				unlabelled("record %q: empty truth column", id)
				continue
			}
		} else if entity, err = EntityFromID(rule, id); err != nil {
			unlabelled("record %q: %v", id, err)
			continue
		}
		if err := t.Add(id, entity, ""); err != nil {
			return st, fmt.Errorf("truth from CSV: %w", err)
		}
	}
}

// MustNotLink names two truth persons that must never share a cluster, with the reason
// code of DOMAIN.md section 6.2 (household, coworking, agency, ...).
type MustNotLink struct {
	PersonA string `json:"person_a"`
	PersonB string `json:"person_b"`
	Reason  string `json:"reason"`
}

// ReadMustNotLink reads must-not-link NDJSON. Any bad line is an error naming it.
func ReadMustNotLink(r io.Reader) ([]MustNotLink, error) {
	var out []MustNotLink
	err := eachJSONLine(r, "must-not-link", maxTruthLine, func(c *MustNotLink) error {
		if c.PersonA == "" || c.PersonB == "" {
			return errors.New("person_a and person_b are required")
		}
		if c.Reason == "" {
			c.Reason = "unspecified"
		}
		out = append(out, *c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
