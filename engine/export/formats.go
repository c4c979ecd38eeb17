package export

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// Format is one single-file export format.
type Format struct {
	Name        string // the --format and ?format= name
	Ext         string // file name extension, with the dot
	ContentType string // HTTP Content-Type
	Write       func(io.Writer, *Evidence) error
}

// formats lists the single-file formats in the order the bundle writes them.
var formats = []Format{
	{"json", ".json", "application/json", WriteJSON},
	{"csv", ".csv", "text/csv; charset=utf-8", WriteCSV},
	{"graphml", ".graphml", "application/graphml+xml", WriteGraphML},
	{"gexf", ".gexf", "application/gexf+xml", WriteGEXF},
	{"ftm", ".ftm.ndjson", "application/x-ndjson", WriteFtM},
	{"stix", ".stix.json", "application/stix+json;version=2.1", WriteSTIX},
	{"html", ".html", "text/html; charset=utf-8", WriteHTML},
}

// Formats returns the single-file formats; "bundle" is not one of them.
func Formats() []Format { return slices.Clone(formats) }

// Lookup returns the single-file format with a name.
func Lookup(name string) (Format, bool) {
	for _, f := range formats {
		if f.Name == name {
			return f, true
		}
	}
	return Format{}, false
}

// FormatNames lists every format name, "bundle" last.
func FormatNames() []string {
	names := make([]string, 0, len(formats)+1)
	for _, f := range formats {
		names = append(names, f.Name)
	}
	return append(names, "bundle")
}

// WriteJSON writes the whole Evidence as one indented JSON document.
func WriteJSON(w io.Writer, ev *Evidence) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(ev); err != nil {
		return fmt.Errorf("export: json: %w", err)
	}
	return nil
}
