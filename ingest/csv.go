package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ErrRaggedRow is the reason for a CSV row whose cell count differs from the header's.
var ErrRaggedRow = errors.New("wrong number of cells")

// ErrNoHeader is returned by NewCSVReader for input without a header row.
var ErrNoHeader = errors.New("CSV input has no header row")

// CSVReader reads CSV rows as records, with the same contract as Reader: Next returns a
// record, a *ParseError for a bad row (call Next again), or io.EOF at the end.
//
// # Format
//
// RFC 4180 with these deliberate leniencies, because real exports break it:
//   - Unquoted cells are trimmed of spaces and tabs (FEBRL puts a space after every
//     comma); quoted cells keep their spaces. An empty cell is a missing value.
//   - A quote inside an unquoted cell (5" screen) is kept as text.
//   - Lines may end in LF or CRLF, the last line may lack its newline, a UTF-8 BOM before
//     the header is dropped, and blank lines are skipped.
//
// Errors that reject one row and let reading go on: a cell count different from the
// header's, text between a closing quote and the next delimiter, a quoted cell still
// open at the end of input or after MaxRecordBytes, invalid UTF-8, and whatever Parse
// rejects in the record built from the row (e.g. an empty record_id).
//
// # Memory
//
// A quoted cell may span lines, so one record may be several physical lines; it is held
// whole, up to the mapping's MaxRecordBytes, and nothing else is. An unterminated quote
// therefore costs at most one record's worth of input, and reading resumes after it.
type CSVReader struct {
	lines  *Reader // physical lines; its line counter is ours
	plan   *plan
	header []string // trimmed column names, "column_N" for blank ones

	idColumn  int   // header index of the record_id column, -1 when a template fills it
	colIndex  []int // per plan.columns: header index
	tmplIndex [][]int
	extra     []int // unmapped columns kept in Extra
	truthIdx  []int // per present truth column: header index
	truthCols []string
	fieldCol  map[string]string // Parse field path -> column name, for errors

	cell  []byte   // scratch for one cell
	cells []string // cells of the current row
	truth []string // truth cells of the row last read; nil when unknown
	first bool     // no line read yet (BOM check)
}

// NewCSVReader reads the header row of r and checks it against m: every column the
// mapping names must be present, and an unmapped column may not be called like a schema
// v1 field (it would be mistaken for one); map it or list it under ignore.
func NewCSVReader(r io.Reader, m *Mapping) (*CSVReader, error) {
	p, err := compileMapping(m)
	if err != nil {
		return nil, err
	}
	cr := &CSVReader{lines: NewReader(r, p.maxRecord), plan: p, first: true, idColumn: -1}
	cells, _, err := cr.readRow()
	switch {
	case errors.Is(err, io.EOF):
		return nil, ErrNoHeader
	case err != nil:
		return nil, fmt.Errorf("CSV header: %w", err)
	}
	if err := cr.bindHeader(cells); err != nil {
		return nil, err
	}
	return cr, nil
}

// bindHeader resolves the plan's column names to positions.
func (r *CSVReader) bindHeader(cells []string) error {
	pos := make(map[string]int, len(cells))
	r.header = make([]string, len(cells))
	for i, c := range cells {
		if c == "" {
			c = fmt.Sprintf("column_%d", i+1)
		}
		if _, dup := pos[c]; dup {
			return fmt.Errorf("CSV header: %w: column %q appears twice", ErrBadMapping, c)
		}
		pos[c] = i
		r.header[i] = c
	}
	used := make([]bool, len(cells))
	var missing []string
	lookup := func(col string) int {
		i, ok := pos[col]
		if !ok {
			missing = append(missing, col)
			return -1
		}
		used[i] = true
		return i
	}
	r.fieldCol = make(map[string]string)
	for _, c := range r.plan.columns {
		i := lookup(c.column)
		r.colIndex = append(r.colIndex, i)
		r.fieldCol[parsePath(c.target)] = c.column
		if c.target.top == "record_id" {
			r.idColumn = i
		}
	}
	for _, t := range r.plan.templates {
		idx := make([]int, len(t.parts))
		for j, part := range t.parts {
			idx[j] = -1
			if part.column != "" {
				idx[j] = lookup(part.column)
			}
		}
		r.tmplIndex = append(r.tmplIndex, idx)
	}
	if len(missing) > 0 {
		return fmt.Errorf("CSV header: %w: mapped columns not in the header: %s", ErrBadMapping, strings.Join(missing, ", "))
	}
	for _, c := range r.plan.truth {
		if i, ok := pos[c]; ok {
			used[i] = true
			r.truthIdx = append(r.truthIdx, i)
			r.truthCols = append(r.truthCols, c)
		}
	}
	for _, c := range r.plan.ignore {
		if i, ok := pos[c]; ok {
			used[i] = true
		}
	}
	for i, u := range used {
		if u {
			continue
		}
		if isSchemaKey(r.header[i]) {
			return fmt.Errorf("CSV header: %w: column %q is named like a schema field but not mapped: map it or ignore it", ErrBadMapping, r.header[i])
		}
		r.extra = append(r.extra, i)
	}
	return nil
}

// parsePath is the field path Parse reports for a target ("documents.number").
func parsePath(t target) string {
	if t.shape == shapeString || t.shape == shapeStringList {
		return t.top
	}
	return t.top + "." + t.sub
}

// Header returns the column names, trimmed; blank ones are called column_N (1-based).
func (r *CSVReader) Header() []string { return append([]string(nil), r.header...) }

// Line is the number of the last physical line read (1-based, the header is line 1).
func (r *CSVReader) Line() int64 { return r.lines.Line() }

// TruthColumns lists the mapping's truth columns present in the header, in the order
// of Truth's values.
func (r *CSVReader) TruthColumns() []string { return append([]string(nil), r.truthCols...) }

// Truth returns the truth cells (see TruthColumns) of the row last read by Next, also
// when Next rejected that row with a *ParseError, so that evaluation can still count
// it. It is nil when the row could not be split into the header's cells. The slice is
// the caller's.
func (r *CSVReader) Truth() []string {
	if r.truth == nil {
		return nil
	}
	return append(make([]string, 0, len(r.truth)), r.truth...)
}

// Next returns the next record. A bad row yields a *ParseError and the reader moves on:
// call Next again. io.EOF ends the input; any other error is from the underlying reader.
func (r *CSVReader) Next() (*Record, error) {
	r.truth = nil
	cells, line, err := r.readRow()
	if err != nil {
		return nil, err
	}
	if len(cells) != len(r.header) {
		pe := &ParseError{Line: line, Err: fmt.Errorf("%w: got %d, want %d", ErrRaggedRow, len(cells), len(r.header))}
		if r.idColumn >= 0 && r.idColumn < len(cells) {
			pe.RecordID = cells[r.idColumn]
		}
		return nil, pe
	}
	r.truth = make([]string, len(r.truthIdx))
	for j, i := range r.truthIdx {
		r.truth[j] = cells[i]
	}
	id := ""
	if r.idColumn >= 0 {
		id = cells[r.idColumn]
	}
	for i, c := range cells {
		if !utf8.ValidString(c) {
			return nil, &ParseError{Line: line, RecordID: id, Field: r.header[i], Err: errors.New("not valid UTF-8")}
		}
	}
	b, err := json.Marshal(r.build(cells))
	if err != nil { // cannot happen for maps of strings; kept so a change cannot panic
		return nil, &ParseError{Line: line, RecordID: id, Err: err}
	}
	rec, err := Parse(b, line)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) && pe.Field != "" {
			if col, ok := r.fieldCol[pe.Field]; ok {
				pe.Err = fmt.Errorf("%s: %w", pe.Field, pe.Err)
				pe.Field = col
			}
		}
		return nil, err
	}
	return rec, nil
}

// build turns one row into the JSON object of a schema v1 record.
func (r *CSVReader) build(cells []string) map[string]any {
	obj := make(map[string]any, len(r.plan.columns)+len(r.extra)+4)
	lists := make(map[string][]map[string]string) // object lists, by top key
	strs := make(map[string][]string)             // string lists, by top key
	put := func(t target, v string, onlyExisting bool) {
		switch t.shape {
		case shapeString:
			if _, ok := obj[t.top]; !ok {
				obj[t.top] = v
			}
		case shapeObject:
			o, _ := obj[t.top].(map[string]string)
			if o == nil {
				o = make(map[string]string)
				obj[t.top] = o
			}
			if _, ok := o[t.sub]; !ok {
				o[t.sub] = v
			}
		case shapeStringList:
			l := strs[t.top]
			for len(l) <= t.index {
				l = append(l, "")
			}
			if l[t.index] == "" {
				l[t.index] = v
			}
			strs[t.top] = l
		case shapeObjectList:
			l := lists[t.top]
			if onlyExisting && (t.index >= len(l) || l[t.index] == nil) {
				return
			}
			for len(l) <= t.index {
				l = append(l, nil)
			}
			if l[t.index] == nil {
				l[t.index] = make(map[string]string)
			}
			if _, ok := l[t.index][t.sub]; !ok {
				l[t.index][t.sub] = v
			}
			lists[t.top] = l
		}
	}
	for j, c := range r.plan.columns {
		v := cells[r.colIndex[j]]
		if v == "" {
			continue
		}
		if c.layout != "" {
			v = reformatDate(v, c.layout, c.target)
		}
		put(c.target, v, false)
	}
	for j, t := range r.plan.templates {
		v := r.fill(t.parts, r.tmplIndex[j], cells)
		if v == "" {
			continue
		}
		if t.layout != "" {
			v = reformatDate(v, t.layout, t.target)
		}
		put(t.target, v, false)
	}
	for _, c := range r.plan.constants {
		put(c.target, c.value, true)
	}
	for top, l := range strs {
		var out []string
		for _, v := range l {
			if v != "" {
				out = append(out, v)
			}
		}
		if len(out) > 0 {
			obj[top] = out
		}
	}
	for top, l := range lists {
		var out []map[string]string
		for _, v := range l {
			if v != nil {
				out = append(out, v)
			}
		}
		if len(out) > 0 {
			obj[top] = out
		}
	}
	for _, i := range r.extra {
		if cells[i] != "" {
			obj[r.header[i]] = cells[i]
		}
	}
	return obj
}

// fill evaluates a template: cells substituted, then trimmed and spaces collapsed.
func (r *CSVReader) fill(parts []templatePart, idx []int, cells []string) string {
	var b strings.Builder
	filled := false
	for j, p := range parts {
		if p.column == "" {
			b.WriteString(p.text)
			continue
		}
		v := cells[idx[j]]
		if v != "" {
			filled = true
		}
		b.WriteString(v)
	}
	if !filled {
		return ""
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// readRow reads one CSV record: its cells and the line it starts on.
func (r *CSVReader) readRow() ([]string, int64, error) {
	var line []byte
	for {
		b, err := r.lines.readLine()
		if err != nil {
			return nil, r.lines.line, err
		}
		if r.first {
			r.first = false
			b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		}
		if len(bytes.TrimSpace(b)) > 0 {
			line = b
			break
		}
	}
	start := r.lines.line
	size := len(line)
	r.cells = r.cells[:0]
	delim := r.plan.delim
	i := 0
	for {
		// One cell starts at line[i].
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i < len(line) && line[i] == '"' {
			i++
			r.cell = r.cell[:0]
			for {
				j := bytes.IndexByte(line[i:], '"')
				if j < 0 {
					// The cell goes on past the end of this line.
					r.cell = append(r.cell, line[i:]...)
					r.cell = append(r.cell, '\n')
					next, err := r.lines.readLine()
					switch {
					case errors.Is(err, io.EOF):
						return nil, start, &ParseError{Line: start, Err: errors.New("quoted cell not closed before the end of input")}
					case err != nil:
						var pe *ParseError
						if errors.As(err, &pe) {
							pe.Line = start
						}
						return nil, start, err
					}
					size += len(next) + 1
					if size > r.plan.maxRecord {
						return nil, start, &ParseError{Line: start, Err: fmt.Errorf("record longer than %d bytes (a quoted cell not closed?)", r.plan.maxRecord)}
					}
					line, i = next, 0
					continue
				}
				r.cell = append(r.cell, line[i:i+j]...)
				i += j + 1
				if i < len(line) && line[i] == '"' { // "" is an escaped quote
					r.cell = append(r.cell, '"')
					i++
					continue
				}
				break
			}
			r.cells = append(r.cells, string(r.cell))
			for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
				i++
			}
			switch {
			case i == len(line):
				return r.cells, start, nil
			case line[i] == delim:
				i++
				continue
			default:
				pe := &ParseError{Line: start, Field: fmt.Sprintf("cell %d", len(r.cells)), Err: fmt.Errorf("unexpected %q after a closing quote", line[i])}
				return nil, start, pe
			}
		}
		j := bytes.IndexByte(line[i:], delim)
		if j < 0 {
			r.cells = append(r.cells, string(bytes.TrimRight(line[i:], " \t")))
			return r.cells, start, nil
		}
		r.cells = append(r.cells, string(bytes.TrimRight(line[i:i+j], " \t")))
		i += j + 1
	}
}
