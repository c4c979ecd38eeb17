package ui

import (
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"strings"
	"time"
)

// pageNames are the page templates; each is parsed with base.html into its own set, so
// that every page defines "content" without clashing.
func pageNames() []string {
	return []string{"login", "error", "dashboard", "queue", "cluster", "record", "identifier", "search", "explain"}
}

func funcs() template.FuncMap {
	return template.FuncMap{
		"pathEscape":  pathEscape,
		"queryEscape": queryEscape,
		"time":        func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04Z") },
		"date":        func(t time.Time) string { return t.UTC().Format("2006-01-02") },
		"risk":        func(f float64) string { return fmt.Sprintf("%.2f", f) },
		"join":        strings.Join,
		"minus":       func(a, b float64) float64 { return a - b },
		"plus":        func(a, b float64) float64 { return a + b },
		"inc":         func(i int) int { return i + 1 },
		"label":       labelText,
	}
}

// labelText is how a label name reads on a page.
func labelText(s string) string {
	switch s {
	case "confirmed_ring":
		return "Confirmed ring"
	case "dismissed":
		return "Dismissed"
	case "benign_hub":
		return "Benign hub"
	case "confirmed_farm":
		return "Confirmed farm"
	}
	return s
}

func parsePages() (map[string]*template.Template, error) {
	base, err := template.New("base").Funcs(funcs()).ParseFS(templateFS, "templates/base.html", "templates/partials.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, name := range pageNames() {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(templateFS, "templates/"+name+".html"); err != nil {
			return nil, fmt.Errorf("ui: template %s: %w", name, err)
		}
		out[name] = t
	}
	if _, err := fs.Stat(templateFS, "templates/base.html"); err != nil {
		return nil, err
	}
	return out, nil
}

// pathEscape escapes one path segment (record ids hold colons and may hold slashes).
func pathEscape(s string) string { return url.PathEscape(s) }

func queryEscape(s string) string { return url.QueryEscape(s) }
