package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// csvTable is one of the CSV tables: members, identifiers, links.
type csvTable struct {
	name   string // file name without ".csv", and the section of the single-file form
	header []string
	rows   [][]string
}

// csvTables builds the three tables. Identifier rows carry shared_by, the number of
// members holding the same value, so a spreadsheet can filter to the shared ones.
func csvTables(ev *Evidence) []csvTable {
	members := csvTable{name: "members", header: []string{"record_id", "name", "source", "event", "persona_id", "persona", "observed_at", "version"}}
	for _, m := range ev.Members {
		members.rows = append(members.rows, []string{m.RecordID, m.Name, m.Source, m.Event, m.PersonaID, m.Persona,
			m.Observed.Format(time.RFC3339), strconv.Itoa(m.Version)})
	}
	holders := map[string]int{}
	for _, m := range ev.Members {
		for _, id := range m.Identifiers {
			holders[id.Key()]++
		}
	}
	idents := csvTable{name: "identifiers", header: []string{"record_id", "kind", "value", "raw", "valid", "flags", "shared_by"}}
	for _, m := range ev.Members {
		for _, id := range m.Identifiers {
			idents.rows = append(idents.rows, []string{m.RecordID, string(id.Kind), id.Value, id.Raw, strconv.FormatBool(id.Valid),
				strings.Join(id.Flags, ";"), strconv.Itoa(holders[id.Key()])})
		}
	}
	links := csvTable{name: "links", header: []string{"record_id", "other_record_id", "kind", "value", "weight"}}
	for _, l := range ev.Links {
		w := ""
		if l.Weight != nil {
			w = strconv.FormatFloat(*l.Weight, 'g', -1, 64)
		}
		links.rows = append(links.rows, []string{l.A, l.B, l.Kind, l.Value, w})
	}
	return []csvTable{members, idents, links}
}

// csvCell defuses spreadsheet formulas: records are written by the people under
// investigation, and a cell starting with = + - @ (or a tab or carriage return) would
// run as a formula when the file is opened in a spreadsheet (OWASP "CSV injection").
// Such cells get a leading apostrophe, which spreadsheets hide and read as "text". This
// also applies to E.164 phone numbers ("+1..."); the JSON export keeps every value as
// stored.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func writeCSVRows(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(header))
	for _, r := range rows {
		for i, c := range r {
			row[i] = csvCell(c)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvColumns are the single-file CSV's columns: "section" and then every table's
// columns, each once (TestCSV checks that every table column is here).
var csvColumns = []string{"section", "record_id", "other_record_id", "name", "source", "event", "persona_id", "persona",
	"observed_at", "version", "kind", "value", "raw", "valid", "flags", "shared_by", "weight"}

// WriteCSV writes the three tables as one CSV file: the first column, "section", says
// which table a row belongs to ("members", "identifiers", "links"), the other columns are
// the union of the tables' columns, empty where a table has none. WriteCSVDir writes the
// tables as three files instead.
func WriteCSV(w io.Writer, ev *Evidence) error {
	tables := csvTables(ev)
	header := csvColumns
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	var rows [][]string
	for _, t := range tables {
		for _, r := range t.rows {
			row := make([]string, len(header))
			row[0] = t.name
			for i, c := range r {
				row[col[t.header[i]]] = c
			}
			rows = append(rows, row)
		}
	}
	if err := writeCSVRows(w, header, rows); err != nil {
		return fmt.Errorf("export: csv: %w", err)
	}
	return nil
}

// CSVFiles are the names WriteCSVDir writes.
func CSVFiles() []string { return []string{"members.csv", "identifiers.csv", "links.csv"} }

// WriteCSVDir writes members.csv, identifiers.csv and links.csv into dir, which must
// exist.
func WriteCSVDir(dir string, ev *Evidence) error {
	for _, t := range csvTables(ev) {
		if err := writeFileWith(filepath.Join(dir, t.name+".csv"), func(w io.Writer) error {
			return writeCSVRows(w, t.header, t.rows)
		}); err != nil {
			return fmt.Errorf("export: csv: %w", err)
		}
	}
	return nil
}

// writeFileWith creates path and fills it with write, reporting the close error too.
func writeFileWith(path string, write func(io.Writer) error) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600) // personal data: owner only
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	return write(f)
}
