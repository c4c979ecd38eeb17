package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Mapping says how the columns of a CSV file become fields of record schema v1. It is
// plain data, read from JSON by LoadMapping or taken from Preset; NewCSVReader checks it
// against the file's header row.
//
// A target is a schema v1 field path: a top-level string field ("record_id",
// "date_of_birth", "name" for the full name), a sub-field of an object ("name.given",
// "interview.video"), an element of a string list ("emails[0]", "phones[1]") or a
// sub-field of an element of an object list ("addresses[0].postcode",
// "documents[0].number"). Indexes run from 0 to 31; list elements that end up empty are
// dropped and the rest close up, so "emails[1]" alone still gives one e-mail.
//
// Example (a FEBRL-like file):
//
//	{
//	  "columns":   {"rec_id": "record_id", "given_name": "name.given", "date_of_birth": "date_of_birth"},
//	  "templates": {"addresses[0].line1": "{street_number} {address_1}"},
//	  "constants": {"source": "febrl", "observed_at": "2020-01-01T00:00:00Z", "addresses[0].country": "AU"},
//	  "date_formats": {"date_of_birth": "YYYYMMDD"},
//	  "truth": ["cluster"],
//	  "ignore": ["blocking_number"]
//	}
type Mapping struct {
	// Name is informative (the preset name, or whatever the file says).
	Name string `json:"name,omitempty"`
	// Delimiter is the cell separator, one ASCII character; default ",".
	Delimiter string `json:"delimiter,omitempty"`
	// Columns maps a column name (as in the header row, surrounding spaces ignored) to a
	// target. Every column named here must be in the header.
	Columns map[string]string `json:"columns"`
	// Templates build one target from several columns: "{by}-{bm}-{bd}" or
	// "{fname_c1} {fname_c2}". Empty cells become empty text; the result is trimmed and
	// runs of spaces are collapsed, and a result with no text is an empty value.
	Templates map[string]string `json:"templates,omitempty"`
	// Constants give a target a fixed value where no column or template filled it (a
	// default, so a "source" column can override a "source" constant). A constant inside
	// a list element ("documents[0].kind") is only applied when a column or template put a
	// value into that element: a document kind without a number is noise.
	Constants map[string]string `json:"constants,omitempty"`
	// DateFormats reformat a target's column or template value as ISO 8601 (RFC 3339 at
	// midnight UTC for observed_at). The format is written with YYYY, MM, M, DD and D,
	// e.g. "YYYYMMDD", "DD/MM/YYYY", "YYYY-M-D" (M and D accept one or two digits). A
	// value that does not parse is kept as it is, so the date-of-birth normaliser can flag
	// it rather than the row being lost.
	DateFormats map[string]string `json:"date_formats,omitempty"`
	// Truth names ground-truth columns (an entity or cluster id). They never reach the
	// record, not even Extra, because the engine must never see truth; CSVReader.Truth
	// hands them to evaluation code. Columns listed here may be absent from the header.
	Truth []string `json:"truth,omitempty"`
	// Ignore names columns to drop. They may be absent from the header.
	Ignore []string `json:"ignore,omitempty"`
	// MaxRecordBytes bounds one CSV record (all its physical lines, since a quoted cell
	// may span lines); default DefaultMaxLineBytes.
	MaxRecordBytes int `json:"max_record_bytes,omitempty"`
}

// maxMappingBytes bounds a mapping file: a mapping is a few hundred bytes, so anything
// big is the wrong file.
const maxMappingBytes = 1 << 20

// maxListIndex bounds list indexes in targets: records hold a handful of e-mails, not
// thousands, and the bound keeps a typo from allocating a huge list.
const maxListIndex = 31

// ErrBadMapping is wrapped by every error about a mapping's content.
var ErrBadMapping = errors.New("bad CSV mapping")

// LoadMapping reads a mapping from a JSON file and validates it. Unknown keys are
// errors, so that a misspelt "colums" does not silently map nothing.
func LoadMapping(path string) (*Mapping, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load mapping: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxMappingBytes+1))
	if err != nil {
		return nil, fmt.Errorf("load mapping %s: %w", path, err)
	}
	if len(b) > maxMappingBytes {
		return nil, fmt.Errorf("load mapping %s: %w: larger than %d bytes", path, ErrBadMapping, maxMappingBytes)
	}
	m, err := ParseMapping(b)
	if err != nil {
		return nil, fmt.Errorf("load mapping %s: %w", path, err)
	}
	return m, nil
}

// ParseMapping decodes a mapping from JSON and validates it.
func ParseMapping(b []byte) (*Mapping, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Mapping
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadMapping, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the JSON object", ErrBadMapping)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// ResolveMapping returns the preset called spec if there is one, else the mapping in
// the file spec: the CLI's --map FILE|PRESET. A file that shares a preset's name can be
// named as ./febrl.
func ResolveMapping(spec string) (*Mapping, error) {
	if m, ok := Preset(spec); ok {
		return m, nil
	}
	return LoadMapping(spec)
}

// Validate checks the mapping on its own, without a header row: targets, templates,
// date formats and delimiter.
func (m *Mapping) Validate() error {
	_, err := compileMapping(m)
	return err
}

// target is a parsed target path.
type target struct {
	path  string // as written, for messages
	top   string // top-level key
	index int    // list index; -1 when top is not a list
	sub   string // object sub-field; "" for a plain string
	shape shapeKind
}

type shapeKind uint8

const (
	shapeString     shapeKind = iota // "date_of_birth"
	shapeObject                      // "name.given"
	shapeStringList                  // "emails[0]"
	shapeObjectList                  // "addresses[0].city"
)

// schemaShapes lists the schema v1 fields a CSV cell can fill, with the sub-fields of
// the object ones. Read-only.
var schemaShapes = map[string]struct {
	kind shapeKind
	subs []string
}{
	"record_id":     {kind: shapeString},
	"source":        {kind: shapeString},
	"observed_at":   {kind: shapeString},
	"event":         {kind: shapeString},
	"persona_id":    {kind: shapeString},
	"date_of_birth": {kind: shapeString},
	"nationality":   {kind: shapeString},
	"photo_hash":    {kind: shapeString},
	"cv_text":       {kind: shapeString},
	"employer":      {kind: shapeString},
	"name":          {kind: shapeObject, subs: []string{"given", "family", "full"}},
	"interview":     {kind: shapeObject, subs: []string{"video"}},
	"emails":        {kind: shapeStringList},
	"phones":        {kind: shapeStringList},
	"profiles":      {kind: shapeStringList},
	"usernames":     {kind: shapeStringList},
	"ips":           {kind: shapeStringList},
	"documents":     {kind: shapeObjectList, subs: []string{"kind", "number", "country"}},
	"addresses":     {kind: shapeObjectList, subs: []string{"kind", "text", "line1", "line2", "city", "region", "postcode", "country"}},
	"payments":      {kind: shapeObjectList, subs: []string{"kind", "value", "holder"}},
	"devices":       {kind: shapeObjectList, subs: []string{"fingerprint", "user_agent", "timezone", "languages"}},
	"references":    {kind: shapeObjectList, subs: []string{"name", "email", "phone"}},
}

// isSchemaKey reports whether key is a top-level field of record schema v1.
func isSchemaKey(key string) bool {
	_, ok := schemaShapes[key]
	return ok
}

// parseTarget parses and checks a target path.
func parseTarget(p string) (target, error) {
	t := target{path: p, index: -1}
	rest := p
	head, tail, hasDot := strings.Cut(rest, ".")
	top := head
	if i := strings.IndexByte(head, '['); i >= 0 {
		if !strings.HasSuffix(head, "]") {
			return t, fmt.Errorf("%w: target %q: want name[index]", ErrBadMapping, p)
		}
		n, err := strconv.Atoi(head[i+1 : len(head)-1])
		if err != nil || n < 0 || n > maxListIndex {
			return t, fmt.Errorf("%w: target %q: list index must be 0 to %d", ErrBadMapping, p, maxListIndex)
		}
		top, t.index = head[:i], n
	}
	t.top = top
	shape, ok := schemaShapes[top]
	if !ok {
		return t, fmt.Errorf("%w: target %q: %q is not a record schema v1 field a cell can fill", ErrBadMapping, p, top)
	}
	t.shape = shape.kind
	if hasDot {
		t.sub = tail
	}
	list := t.index >= 0
	switch shape.kind {
	case shapeString:
		if list || hasDot {
			return t, fmt.Errorf("%w: target %q: %s is a plain string", ErrBadMapping, p, top)
		}
	case shapeObject:
		if list {
			return t, fmt.Errorf("%w: target %q: %s is not a list", ErrBadMapping, p, top)
		}
		if !hasDot {
			if top != "name" {
				return t, fmt.Errorf("%w: target %q: want %s.<field>", ErrBadMapping, p, top)
			}
			// "name" alone is the full name as one string.
			t.shape, t.sub = shapeObject, "full"
		}
	case shapeStringList:
		if !list || hasDot {
			return t, fmt.Errorf("%w: target %q: want %s[index]", ErrBadMapping, p, top)
		}
	case shapeObjectList:
		if !list || !hasDot {
			return t, fmt.Errorf("%w: target %q: want %s[index].<field>", ErrBadMapping, p, top)
		}
	}
	if t.sub != "" && !slices.Contains(shape.subs, t.sub) {
		return t, fmt.Errorf("%w: target %q: %s has no field %q (want one of %s)", ErrBadMapping, p, top, t.sub, strings.Join(shape.subs, ", "))
	}
	return t, nil
}

// key identifies a target's slot regardless of spelling ("name" and "name.full" are
// the same slot).
func (t target) key() string {
	var b strings.Builder
	b.WriteString(t.top)
	if t.index >= 0 {
		fmt.Fprintf(&b, "[%d]", t.index)
	}
	if t.sub != "" {
		b.WriteString(".")
		b.WriteString(t.sub)
	}
	return b.String()
}

// templatePart is a piece of a template: literal text, or a column reference.
type templatePart struct {
	text   string
	column string // non-empty for a reference
}

// parseTemplate splits "{a}-{b}" into parts; "{{" and "}}" are literal braces.
func parseTemplate(s string) ([]templatePart, error) {
	var parts []templatePart
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{':
			lit.WriteByte('{')
			i++
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte('}')
			i++
		case c == '{':
			end := strings.IndexByte(s[i+1:], '}')
			if end < 0 {
				return nil, fmt.Errorf("%w: template %q: unclosed {", ErrBadMapping, s)
			}
			col := strings.TrimSpace(s[i+1 : i+1+end])
			if col == "" {
				return nil, fmt.Errorf("%w: template %q: empty {}", ErrBadMapping, s)
			}
			if lit.Len() > 0 {
				parts = append(parts, templatePart{text: lit.String()})
				lit.Reset()
			}
			parts = append(parts, templatePart{column: col})
			i += end + 1
		case c == '}':
			return nil, fmt.Errorf("%w: template %q: stray }", ErrBadMapping, s)
		default:
			lit.WriteByte(c)
		}
	}
	if lit.Len() > 0 {
		parts = append(parts, templatePart{text: lit.String()})
	}
	if !slices.ContainsFunc(parts, func(p templatePart) bool { return p.column != "" }) {
		return nil, fmt.Errorf("%w: template %q names no column (use a constant)", ErrBadMapping, s)
	}
	return parts, nil
}

// dateLayout turns a YYYY/MM/DD format into a Go time layout.
func dateLayout(spec string) (string, error) {
	var b strings.Builder
	var y, m, d bool
	for i := 0; i < len(spec); {
		rest := spec[i:]
		switch {
		case strings.HasPrefix(rest, "YYYY"):
			b.WriteString("2006")
			i, y = i+4, true
		case strings.HasPrefix(rest, "MM"):
			b.WriteString("01")
			i, m = i+2, true
		case strings.HasPrefix(rest, "M"):
			b.WriteString("1")
			i, m = i+1, true
		case strings.HasPrefix(rest, "DD"):
			b.WriteString("02")
			i, d = i+2, true
		case strings.HasPrefix(rest, "D"):
			b.WriteString("2")
			i, d = i+1, true
		case (rest[0] >= 'a' && rest[0] <= 'z') || (rest[0] >= 'A' && rest[0] <= 'Z') || (rest[0] >= '0' && rest[0] <= '9'):
			return "", fmt.Errorf("%w: date format %q: unexpected %q (use YYYY, MM, M, DD, D and separators)", ErrBadMapping, spec, rest[0])
		default:
			b.WriteByte(rest[0])
			i++
		}
	}
	if !y || !m || !d {
		return "", fmt.Errorf("%w: date format %q: needs YYYY, a month (MM or M) and a day (DD or D)", ErrBadMapping, spec)
	}
	return b.String(), nil
}

// plan is a mapping compiled for evaluation, before it meets a header.
type plan struct {
	delim     byte
	maxRecord int
	columns   []columnRule   // sorted by column name
	templates []templateRule // sorted by target
	constants []constantRule // sorted by target
	truth     []string
	ignore    []string
}

type columnRule struct {
	column string
	target target
	layout string // Go date layout, "" for none
}

type templateRule struct {
	target target
	parts  []templatePart
	layout string
}

type constantRule struct {
	target target
	value  string
}

func compileMapping(m *Mapping) (*plan, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: nil mapping", ErrBadMapping)
	}
	p := &plan{delim: ',', maxRecord: m.MaxRecordBytes}
	if p.maxRecord <= 0 {
		p.maxRecord = DefaultMaxLineBytes
	}
	if m.Delimiter != "" {
		d := m.Delimiter
		if len(d) != 1 || d[0] >= 0x80 || d[0] == '"' || d[0] == '\r' || d[0] == '\n' {
			return nil, fmt.Errorf("%w: delimiter %q: want one ASCII character other than a quote or newline", ErrBadMapping, d)
		}
		p.delim = d[0]
	}
	if len(m.Columns) == 0 && len(m.Templates) == 0 {
		return nil, fmt.Errorf("%w: no columns mapped", ErrBadMapping)
	}
	layouts := make(map[string]string, len(m.DateFormats))
	for path, spec := range m.DateFormats {
		t, err := parseTarget(path)
		if err != nil {
			return nil, fmt.Errorf("date_formats: %w", err)
		}
		l, err := dateLayout(spec)
		if err != nil {
			return nil, err
		}
		layouts[t.key()] = l
	}
	filled := make(map[string]string) // target key -> who fills it, to catch two sources
	claim := func(t target, who string) error {
		if prev, ok := filled[t.key()]; ok {
			return fmt.Errorf("%w: target %q is filled by both %s and %s", ErrBadMapping, t.path, prev, who)
		}
		filled[t.key()] = who
		return nil
	}
	for col, path := range m.Columns {
		col = strings.TrimSpace(col)
		if col == "" {
			return nil, fmt.Errorf("%w: empty column name", ErrBadMapping)
		}
		t, err := parseTarget(path)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", col, err)
		}
		if err := claim(t, "column "+strconv.Quote(col)); err != nil {
			return nil, err
		}
		p.columns = append(p.columns, columnRule{column: col, target: t, layout: layouts[t.key()]})
	}
	for path, tmpl := range m.Templates {
		t, err := parseTarget(path)
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		parts, err := parseTemplate(tmpl)
		if err != nil {
			return nil, err
		}
		if err := claim(t, "template "+strconv.Quote(tmpl)); err != nil {
			return nil, err
		}
		p.templates = append(p.templates, templateRule{target: t, parts: parts, layout: layouts[t.key()]})
	}
	for k := range layouts {
		if _, ok := filled[k]; !ok {
			return nil, fmt.Errorf("%w: date format for %q, which no column or template fills", ErrBadMapping, k)
		}
	}
	for path, v := range m.Constants {
		t, err := parseTarget(path)
		if err != nil {
			return nil, fmt.Errorf("constants: %w", err)
		}
		p.constants = append(p.constants, constantRule{target: t, value: v})
	}
	mapped := make(map[string]bool)
	for _, c := range p.columns {
		mapped[c.column] = true
	}
	for _, list := range [][]string{m.Truth, m.Ignore} {
		for _, c := range list {
			c = strings.TrimSpace(c)
			if mapped[c] {
				return nil, fmt.Errorf("%w: column %q is mapped and also listed as truth or ignored", ErrBadMapping, c)
			}
		}
	}
	// A truth column in a template would leak truth into the record.
	for _, tr := range p.templates {
		for _, part := range tr.parts {
			if part.column != "" && slices.Contains(m.Truth, part.column) {
				return nil, fmt.Errorf("%w: template for %q uses truth column %q", ErrBadMapping, tr.target.path, part.column)
			}
		}
	}
	p.truth = trimAll(m.Truth)
	p.ignore = trimAll(m.Ignore)
	slices.SortFunc(p.columns, func(a, b columnRule) int { return strings.Compare(a.column, b.column) })
	slices.SortFunc(p.templates, func(a, b templateRule) int { return strings.Compare(a.target.path, b.target.path) })
	slices.SortFunc(p.constants, func(a, b constantRule) int { return strings.Compare(a.target.path, b.target.path) })
	return p, nil
}

func trimAll(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

// reformatDate rewrites v from layout to ISO form; v is returned as it is when it does
// not parse.
func reformatDate(v, layout string, t target) string {
	d, err := time.Parse(layout, v)
	if err != nil {
		return v
	}
	if t.top == "observed_at" {
		return d.UTC().Format(time.RFC3339)
	}
	return d.Format(time.DateOnly)
}
