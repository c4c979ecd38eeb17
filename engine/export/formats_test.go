package export

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/graph/formats/gexf12"
)

// evidenceCases are the evidence every format test runs on.
func evidenceCases(t *testing.T) map[string]*Evidence {
	return map[string]*Evidence{"sample": sampleEvidence(t), "wide": wideEvidence(t)}
}

// wantGraph is the node and edge count the graph formats must have: a node per member
// and per shared value, an edge per holder of each shared value.
func wantGraph(ev *Evidence) (nodes, edges int) {
	for _, v := range ev.Values {
		edges += len(v.Records)
	}
	return len(ev.Members) + len(ev.Values), edges
}

func render(t *testing.T, write func(io.Writer, *Evidence) error, ev *Evidence) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b, ev); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGraphMLParsesBack(t *testing.T) {
	// Independent reading structs: only the GraphML namespace and element names.
	type data struct {
		Key   string `xml:"key,attr"`
		Value string `xml:",chardata"`
	}
	type doc struct {
		XMLName xml.Name `xml:"http://graphml.graphdrawing.org/xmlns graphml"`
		Keys    []struct {
			ID  string `xml:"id,attr"`
			For string `xml:"for,attr"`
		} `xml:"key"`
		Graph struct {
			EdgeDefault string `xml:"edgedefault,attr"`
			Nodes       []struct {
				ID   string `xml:"id,attr"`
				Data []data `xml:"data"`
			} `xml:"node"`
			Edges []struct {
				Source string `xml:"source,attr"`
				Target string `xml:"target,attr"`
				Data   []data `xml:"data"`
			} `xml:"edge"`
		} `xml:"graph"`
	}
	for name, ev := range evidenceCases(t) {
		t.Run(name, func(t *testing.T) {
			var d doc
			if err := xml.Unmarshal(render(t, WriteGraphML, ev), &d); err != nil {
				t.Fatal(err)
			}
			wantNodes, wantEdges := wantGraph(ev)
			if len(d.Graph.Nodes) != wantNodes || len(d.Graph.Edges) != wantEdges {
				t.Fatalf("%d nodes and %d edges, want %d and %d", len(d.Graph.Nodes), len(d.Graph.Edges), wantNodes, wantEdges)
			}
			keys := map[string]string{}
			for _, k := range d.Keys {
				keys[k.ID] = k.For
			}
			types := map[string]string{}
			records := map[string]bool{}
			for _, n := range d.Graph.Nodes {
				for _, dt := range n.Data {
					if f, ok := keys[dt.Key]; !ok || (f != "node" && f != "all") {
						t.Errorf("node %s: data key %q undeclared for nodes", n.ID, dt.Key)
					}
					switch dt.Key {
					case "type":
						types[n.ID] = dt.Value
					case "record_id":
						records[dt.Value] = true
					}
				}
			}
			for _, m := range ev.Members {
				if !records[m.RecordID] {
					t.Errorf("no node for record %s", m.RecordID)
				}
			}
			for _, e := range d.Graph.Edges {
				if types[e.Source] != "record" || types[e.Target] != "value" {
					t.Errorf("edge %s-%s: not record to value (%q, %q)", e.Source, e.Target, types[e.Source], types[e.Target])
				}
				if len(e.Data) != 1 || e.Data[0].Key != "kind" || e.Data[0].Value == "" {
					t.Errorf("edge %s-%s: data %v, want its kind", e.Source, e.Target, e.Data)
				}
			}
		})
	}
}

func TestGEXFParsesBack(t *testing.T) {
	for name, ev := range evidenceCases(t) {
		t.Run(name, func(t *testing.T) {
			var c gexf12.Content
			if err := xml.Unmarshal(render(t, WriteGEXF, ev), &c); err != nil {
				t.Fatal(err)
			}
			wantNodes, wantEdges := wantGraph(ev)
			if len(c.Graph.Nodes.Nodes) != wantNodes || c.Graph.Nodes.Count != wantNodes ||
				len(c.Graph.Edges.Edges) != wantEdges || c.Graph.Edges.Count != wantEdges {
				t.Fatalf("nodes %d (count %d), edges %d (count %d); want %d and %d", len(c.Graph.Nodes.Nodes), c.Graph.Nodes.Count,
					len(c.Graph.Edges.Edges), c.Graph.Edges.Count, wantNodes, wantEdges)
			}
			if c.Version != "1.2" || c.Graph.DefaultEdgeType != "undirected" {
				t.Errorf("version %q, default edge type %q", c.Version, c.Graph.DefaultEdgeType)
			}
			declared := map[string]map[string]bool{}
			for _, as := range c.Graph.Attributes {
				declared[as.Class] = map[string]bool{}
				for _, a := range as.Attributes {
					declared[as.Class][a.ID] = true
				}
			}
			ids := map[string]bool{}
			for _, n := range c.Graph.Nodes.Nodes {
				if ids[n.ID] || n.Label == "" || n.Position == nil || n.AttValues == nil {
					t.Errorf("node %+v: duplicate id or no label, position or attributes", n)
					continue
				}
				ids[n.ID] = true
				for _, a := range n.AttValues.AttValues {
					if !declared["node"][a.For] {
						t.Errorf("node %s: attribute %q undeclared", n.ID, a.For)
					}
				}
			}
			for _, e := range c.Graph.Edges.Edges {
				if !ids[e.Source] || !ids[e.Target] || e.Label == "" {
					t.Errorf("edge %+v: dangling or unlabelled", e)
				}
			}
		})
	}
}

// ftmModel is the vendored part of the FollowTheMoney model (testdata/ftm, MIT).
type ftmModel struct {
	Schemata map[string]struct {
		Abstract   bool     `json:"abstract"`
		Ancestors  []string `json:"ancestors"`
		Properties map[string]struct {
			Type  string `json:"type"`
			Range string `json:"range"`
			Stub  bool   `json:"stub"`
		} `json:"properties"`
	} `json:"schemata"`
}

func TestFtMAgainstModel(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "ftm", "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	var model ftmModel
	if err := json.Unmarshal(b, &model); err != nil {
		t.Fatal(err)
	}
	hexID := regexp.MustCompile(`^[0-9a-f]{40}$`)
	tests := []struct {
		name    string
		ev      *Evidence
		schemas []string // schemata the output must contain
	}{
		{"sample", sampleEvidence(t), []string{"Person", "Address", "BankAccount", "Ownership", "UserAccount", "UnknownLink"}},
		{"wide", wideEvidence(t), []string{"Person", "BankAccount", "CryptoWallet", "UserAccount", "Identification", "UnknownLink"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var es []ftmEntity
			sc := bufio.NewScanner(bytes.NewReader(render(t, WriteFtM, tc.ev)))
			for sc.Scan() {
				var e ftmEntity
				if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
					t.Fatalf("line %q: %v", sc.Text(), err)
				}
				es = append(es, e)
			}
			schemaOf := map[string]string{}
			for _, e := range es {
				if _, dup := schemaOf[e.ID]; dup || !hexID.MatchString(e.ID) {
					t.Errorf("entity id %q: duplicate or not a SHA-1", e.ID)
				}
				schemaOf[e.ID] = e.Schema
			}
			seen := map[string]int{}
			for _, e := range es {
				seen[e.Schema]++
				s, ok := model.Schemata[e.Schema]
				if !ok || s.Abstract {
					t.Errorf("entity %s: schema %q unknown or abstract", e.ID, e.Schema)
					continue
				}
				if len(e.Properties) == 0 {
					t.Errorf("entity %s (%s) has no properties", e.ID, e.Schema)
				}
				for prop, vals := range e.Properties {
					p, ok := s.Properties[prop]
					if !ok || p.Stub {
						t.Errorf("%s: property %q unknown or a stub (reverse) property", e.Schema, prop)
						continue
					}
					if len(vals) == 0 || !slices.IsSorted(vals) {
						t.Errorf("%s.%s: values %v empty or unsorted", e.Schema, prop, vals)
					}
					if p.Type != "entity" {
						continue
					}
					for _, v := range vals {
						target, ok := schemaOf[v]
						if !ok {
							t.Errorf("%s.%s refers to %s, not in the output", e.Schema, prop, v)
							continue
						}
						if !slices.Contains(model.Schemata[target].Ancestors, p.Range) {
							t.Errorf("%s.%s refers to a %s, want a %s", e.Schema, prop, target, p.Range)
						}
					}
				}
			}
			for _, s := range tc.schemas {
				if seen[s] == 0 {
					t.Errorf("no %s entity; have %v", s, seen)
				}
			}
			personas := map[string]bool{}
			for _, m := range tc.ev.Members {
				personas[m.Persona] = true
			}
			if seen["Person"] != len(personas) {
				t.Errorf("%d Person entities for %d personas", seen["Person"], len(personas))
			}
		})
	}
}

// STIX 2.1 properties of the standard types WriteSTIX emits; anything else on them must
// be a custom property (x_ prefix).
var stixStandard = map[string][]string{
	"identity":     {"type", "spec_version", "id", "created", "modified", "created_by_ref", "name", "description", "identity_class", "roles", "sectors", "contact_information", "labels"},
	"grouping":     {"type", "spec_version", "id", "created", "modified", "created_by_ref", "name", "description", "context", "object_refs", "labels"},
	"relationship": {"type", "spec_version", "id", "created", "modified", "created_by_ref", "relationship_type", "description", "source_ref", "target_ref", "start_time", "stop_time"},
	"email-addr":   {"type", "spec_version", "id", "value", "display_name", "belongs_to_ref"},
	"ipv4-addr":    {"type", "spec_version", "id", "value"},
	"ipv6-addr":    {"type", "spec_version", "id", "value"},
	"user-account": {"type", "spec_version", "id", "user_id", "account_login", "account_type", "display_name"},
}

// stixSDO are the types that are domain or relationship objects (created and modified
// required); the rest are Cyber-observables.
var stixSDO = map[string]bool{"identity": true, "grouping": true, "relationship": true, "x-personagraph-persona": true}

func TestSTIXRequiredProperties(t *testing.T) {
	idForm := regexp.MustCompile(`^([a-z0-9-]+)--[0-9a-f]{8}-[0-9a-f]{4}-[45][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	stamp := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
	propName := regexp.MustCompile(`^[a-z0-9_]{2,250}$`)
	for name, ev := range evidenceCases(t) {
		t.Run(name, func(t *testing.T) {
			var bundle struct {
				Type    string           `json:"type"`
				ID      string           `json:"id"`
				Objects []map[string]any `json:"objects"`
			}
			if err := json.Unmarshal(render(t, WriteSTIX, ev), &bundle); err != nil {
				t.Fatal(err)
			}
			if bundle.Type != "bundle" || !strings.HasPrefix(bundle.ID, "bundle--") || !idForm.MatchString(bundle.ID) || len(bundle.Objects) == 0 {
				t.Fatalf("bundle type %q id %q with %d objects", bundle.Type, bundle.ID, len(bundle.Objects))
			}
			ids := map[string]string{}
			for _, o := range bundle.Objects {
				id, _ := o["id"].(string)
				typ, _ := o["type"].(string)
				if m := idForm.FindStringSubmatch(id); m == nil || m[1] != typ {
					t.Errorf("object id %q does not have the form %s--uuid", id, typ)
				}
				if _, dup := ids[id]; dup {
					t.Errorf("duplicate id %s", id)
				}
				ids[id] = typ
				if o["spec_version"] != "2.1" {
					t.Errorf("%s: spec_version %v", id, o["spec_version"])
				}
				if stixSDO[typ] {
					for _, p := range []string{"created", "modified"} {
						if s, _ := o[p].(string); !stamp.MatchString(s) {
							t.Errorf("%s: %s %q is not a millisecond UTC timestamp", id, p, s)
						}
					}
				}
				std, standard := stixStandard[typ]
				if !standard && !regexp.MustCompile(`^x-[a-z0-9-]{1,248}$`).MatchString(typ) {
					t.Errorf("type %q is neither standard nor x- custom", typ)
				}
				for p := range o {
					if !propName.MatchString(p) {
						t.Errorf("%s: property name %q", id, p)
					}
					if standard && !slices.Contains(std, p) && !strings.HasPrefix(p, "x_") {
						t.Errorf("%s: custom property %q on a standard type lacks the x_ prefix", id, p)
					}
				}
			}
			var groupings, personas int
			for _, o := range bundle.Objects {
				switch o["type"] {
				case "relationship":
					for _, p := range []string{"source_ref", "target_ref"} {
						if _, ok := ids[o[p].(string)]; !ok {
							t.Errorf("relationship %s: %s %v not in the bundle", o["id"], p, o[p])
						}
					}
					if o["relationship_type"] == "" {
						t.Errorf("relationship %s has no type", o["id"])
					}
				case "grouping":
					groupings++
					refs, _ := o["object_refs"].([]any)
					if len(refs) < 2 || o["context"] != "suspicious-activity" {
						t.Errorf("grouping: %d object_refs, context %v", len(refs), o["context"])
					}
					for _, r := range refs {
						if _, ok := ids[r.(string)]; !ok {
							t.Errorf("grouping refers to %v, not in the bundle", r)
						}
					}
				case "x-personagraph-persona":
					personas++
				}
				if ref, ok := o["created_by_ref"].(string); ok && ids[ref] != "identity" {
					t.Errorf("%s: created_by_ref %s is not the identity", o["id"], ref)
				}
			}
			want := map[string]bool{}
			for _, m := range ev.Members {
				want[m.Persona] = true
			}
			if groupings != 1 || personas != len(want) {
				t.Errorf("%d groupings, %d personas; want 1 and %d", groupings, personas, len(want))
			}
		})
	}
}

// TestSCOIDs checks the STIX deterministic id of an e-mail address against one computed
// independently (Python: uuid.uuid5(UUID("00abedb4-aa42-466c-9c01-fed23315a9b7"),
// '{"value":"john@example.com"}')).
func TestSCOIDs(t *testing.T) {
	if got, want := scoID("email-addr", map[string]string{"value": "john@example.com"}), "email-addr--7165e2a9-671f-585d-b1e1-ca59c671d934"; got != want {
		t.Errorf("scoID = %s, want %s", got, want)
	}
	if got, want := uuid5(stixNamespace, "x"), uuid5(stixNamespace, "x"); got != want || got == uuid5(stixNamespace, "y") {
		t.Error("uuid5 is not a function of its name")
	}
}

func TestHTMLReport(t *testing.T) {
	for name, ev := range evidenceCases(t) {
		t.Run(name, func(t *testing.T) {
			s := string(render(t, WriteHTML, ev))
			if !strings.Contains(s, "<svg") || !strings.Contains(s, "</svg>") {
				t.Error("no inline SVG picture")
			}
			for _, m := range ev.Members {
				if !strings.Contains(s, m.RecordID) {
					t.Errorf("member %s not in the report", m.RecordID)
				}
			}
			for _, f := range ev.Cluster.Flags {
				if !strings.Contains(s, f) {
					t.Errorf("flag %s not in the report", f)
				}
			}
			if n, _ := wantGraph(ev); strings.Count(s, "<circle")+strings.Count(s, "<rect") != n {
				t.Errorf("%d circles and rects, want %d nodes", strings.Count(s, "<circle")+strings.Count(s, "<rect"), n)
			}
			for _, bad := range []string{"<script", "src=", "href=", "@import", "url(", "ZgotmplZ"} {
				if strings.Contains(s, bad) {
					t.Errorf("report contains %q: not self-contained or badly escaped", bad)
				}
			}
		})
	}
}

func TestCSV(t *testing.T) {
	ev := wideEvidence(t)
	rows, err := csv.NewReader(bytes.NewReader(render(t, WriteCSV, ev))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], csvColumns) {
		t.Fatalf("header %v", rows[0])
	}
	for _, tb := range csvTables(ev) {
		for _, h := range tb.header {
			if !slices.Contains(csvColumns, h) {
				t.Errorf("column %s of %s is not in the single-file CSV", h, tb.name)
			}
		}
	}
	count := map[string]int{}
	col := slices.Index(rows[0], "value")
	for _, r := range rows[1:] {
		count[r[0]]++
		if r[0] == "identifiers" && r[col] == "'=cmd@example.com" {
			count["defused"]++
		}
	}
	idents := 0
	for _, m := range ev.Members {
		idents += len(m.Identifiers)
	}
	if count["members"] != len(ev.Members) || count["identifiers"] != idents || count["links"] != len(ev.Links) {
		t.Errorf("sections %v; want %d members, %d identifiers, %d links", count, len(ev.Members), idents, len(ev.Links))
	}
	if count["defused"] != 1 {
		t.Error("the formula-like e-mail was not defused")
	}
	dir := t.TempDir()
	if err := WriteCSVDir(dir, ev); err != nil {
		t.Fatal(err)
	}
	for i, name := range CSVFiles() {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := []int{len(ev.Members), idents, len(ev.Links)}[i]
		if len(rows)-1 != want {
			t.Errorf("%s: %d rows, want %d", name, len(rows)-1, want)
		}
	}
}

func TestCSVCell(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "kevin", "kevin"},
		{"empty", "", ""},
		{"formula", "=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"},
		{"plus", "+19405550117", "'+19405550117"},
		{"minus", "-1+2", "'-1+2"},
		{"at", "@SUM(A1)", "'@SUM(A1)"},
		{"tab", "\t=1", "'\t=1"},
		{"inner equals", "a=b", "a=b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := csvCell(tc.in); got != tc.want {
				t.Errorf("csvCell(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestBundleVerify(t *testing.T) {
	ev := sampleEvidence(t)
	opts := &BundleOptions{Query: "export --cluster " + ev.Cluster.ID + " --format bundle", EngineVersion: "test"}
	tests := []struct {
		name   string
		tamper func(t *testing.T, dir string, m *Manifest)
		bad    string // file the error must name; "" for a bundle that verifies
	}{
		{"untouched", func(*testing.T, string, *Manifest) {}, ""},
		{"modified", func(t *testing.T, dir string, m *Manifest) {
			p := filepath.Join(dir, m.Files[0].Name)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 1
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "FIRST"},
		{"removed", func(t *testing.T, dir string, m *Manifest) {
			if err := os.Remove(filepath.Join(dir, "links.csv")); err != nil {
				t.Fatal(err)
			}
		}, "links.csv"},
		{"added", func(t *testing.T, dir string, m *Manifest) {
			if err := os.WriteFile(filepath.Join(dir, "extra.txt"), []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "extra.txt"},
		{"manifest escapes the directory", func(t *testing.T, dir string, m *Manifest) {
			b, err := os.ReadFile(filepath.Join(dir, ManifestName))
			if err != nil {
				t.Fatal(err)
			}
			b = bytes.Replace(b, []byte(`"name": "links.csv"`), []byte(`"name": "../links.csv"`), 1)
			if err := os.WriteFile(filepath.Join(dir, ManifestName), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "../links.csv"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "bundle")
			m, err := WriteBundle(dir, ev, opts)
			if err != nil {
				t.Fatal(err)
			}
			checkManifest(t, dir, m, ev, opts)
			tc.tamper(t, dir, m)
			err = Verify(dir)
			if tc.bad == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if tc.bad == "FIRST" {
				tc.bad = m.Files[0].Name
			}
			if !errors.Is(err, ErrTampered) || !strings.Contains(err.Error(), tc.bad) {
				t.Fatalf("Verify = %v, want ErrTampered naming %s", err, tc.bad)
			}
		})
	}
	t.Run("not empty", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "old"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := WriteBundle(dir, ev, opts); !errors.Is(err, ErrDirNotEmpty) {
			t.Fatalf("WriteBundle into a non-empty directory: %v", err)
		}
	})
	t.Run("no manifest", func(t *testing.T) {
		if err := Verify(t.TempDir()); err == nil || errors.Is(err, ErrTampered) {
			t.Fatalf("Verify without a manifest = %v", err)
		}
	})
}

// checkManifest checks what a fresh bundle's manifest says.
func checkManifest(t *testing.T, dir string, m *Manifest, ev *Evidence, opts *BundleOptions) {
	t.Helper()
	read, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if read.Digest != m.Digest || read.ClusterID != ev.Cluster.ID || read.Query != opts.Query ||
		read.EngineVersion != "test" || !read.Created.Equal(ev.Generated) || read.Created.Location() != time.UTC {
		t.Errorf("manifest %+v, written %+v", read, m)
	}
	formats := map[string]bool{}
	for _, f := range read.Files {
		formats[f.Format] = true
	}
	for _, f := range Formats() {
		if !formats[f.Name] {
			t.Errorf("bundle lacks format %s", f.Name)
		}
	}
}

func TestBundleZip(t *testing.T) {
	ev := sampleEvidence(t)
	var b bytes.Buffer
	m, err := WriteBundleZip(&b, ev, &BundleOptions{EngineVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, f := range zr.File {
		if !filepath.IsLocal(f.Name) {
			t.Fatalf("zip entry %q escapes", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(root, f.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(root, ev.Cluster.ID)
	if err := Verify(dir); err != nil {
		t.Fatalf("Verify of the unzipped bundle: %v", err)
	}
	if len(zr.File) != len(m.Files)+1 {
		t.Errorf("%d zip entries for %d files and the manifest", len(zr.File), len(m.Files))
	}
}

func TestForceLayout(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		edges [][2]int
	}{
		{"empty", 0, nil},
		{"one", 1, nil},
		{"pair", 2, [][2]int{{0, 1}}},
		{"star", 12, [][2]int{{0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}, {0, 6}, {0, 7}, {0, 8}, {0, 9}, {0, 10}, {0, 11}}},
		{"two parts", 6, [][2]int{{0, 1}, {1, 2}, {3, 4}, {4, 5}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := forceLayout(tc.n, tc.edges), forceLayout(tc.n, tc.edges)
			if len(a) != tc.n || !slices.Equal(a, b) {
				t.Fatalf("layout of %d nodes: %d positions, or not deterministic", tc.n, len(a))
			}
			for i, p := range a {
				if p.X < 0 || p.X > 1 || p.Y < 0 || p.Y > 1 {
					t.Errorf("node %d at %v, outside the unit square", i, p)
				}
				for j := range i {
					if d := (p.X-a[j].X)*(p.X-a[j].X) + (p.Y-a[j].Y)*(p.Y-a[j].Y); d < 1e-4 {
						t.Errorf("nodes %d and %d overlap at %v", i, j, p)
					}
				}
			}
		})
	}
}
