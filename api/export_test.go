package api

import (
	"archive/zip"
	"bytes"
	"mime"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/engine/export"
	"github.com/personagraph/personagraph/fixtures"
)

func TestExportCluster(t *testing.T) {
	f := newFixture(t, nil)
	f.do(t, req{"POST", "/v1/records", f.tokens[RoleIngest], "", strings.Join(sampleLines(), "\n")}, 200, nil)
	var rec struct {
		Clusters map[string]string `json:"clusters"`
	}
	f.do(t, req{method: "GET", path: "/v1/records/upwork:app:3001", token: f.tokens[RoleAnalyst]}, 200, &rec)
	cluster := rec.Clusters["operator"]
	path := "/v1/clusters/" + cluster + "/export"

	t.Run("roles", func(t *testing.T) {
		tests := []struct {
			name  string
			token string
			want  int
		}{
			{"no token", "", 401},
			{"ingest", f.tokens[RoleIngest], 403},
			{"analyst", f.tokens[RoleAnalyst], 403},
			{"investigator", f.tokens[RoleInvestigator], 200},
			{"admin", f.tokens[RoleAdmin], 200},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				f.do(t, req{method: "GET", path: path + "?format=json", token: tc.token}, tc.want, nil)
			})
		}
	})

	inv := f.tokens[RoleInvestigator]
	formats := append(export.FormatNames(), "")
	for _, name := range formats {
		t.Run("format "+name, func(t *testing.T) {
			q := path
			if name != "" {
				q += "?format=" + name
			}
			resp, body := f.do(t, req{method: "GET", path: q, token: inv}, 200, nil)
			want, ext := "application/zip", ".zip"
			if fm, ok := export.Lookup(name); ok {
				want, ext = fm.ContentType, fm.Ext
			} else if name == "" {
				want, ext = "application/json", ".json" // the default format
			}
			if got := resp.Header.Get("Content-Type"); got != want {
				t.Errorf("Content-Type %q, want %q", got, want)
			}
			disp, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
			if err != nil || disp != "attachment" || params["filename"] != cluster+ext {
				t.Errorf("Content-Disposition %q (%v), want attachment; filename=%s", resp.Header.Get("Content-Disposition"), err, cluster+ext)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Error("personal data served cacheable")
			}
			if name != "bundle" {
				if !bytes.Contains(body, []byte("upwork:app:3001")) {
					t.Error("the export lacks the ring's record")
				}
				return
			}
			zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, zf := range zr.File {
				names = append(names, zf.Name)
			}
			if !strings.Contains(strings.Join(names, " "), cluster+"/"+export.ManifestName) {
				t.Errorf("zip entries %v lack the manifest", names)
			}
		})
	}

	t.Run("errors", func(t *testing.T) {
		f.do(t, req{method: "GET", path: path + "?format=pdf", token: inv}, 400, nil)
		f.do(t, req{method: "GET", path: "/v1/clusters/o-000000000000/export", token: inv}, 404, nil)
		f.do(t, req{method: "GET", path: "/v1/clusters/NOT_AN_ID/export", token: inv}, 400, nil)
	})

	t.Run("audit", func(t *testing.T) {
		found := false
		for _, e := range f.auditLines(t) {
			if e.Path == path && e.Role == RoleInvestigator && e.Status == 200 {
				found = true
				if e.Records != len(fixtures.SampleRing()) {
					t.Errorf("audit line %+v: want the ring's %d records", e, len(fixtures.SampleRing()))
				}
			}
			if e.Path == path && e.Role == RoleAnalyst && (e.Status != 403 || e.Records != 0) {
				t.Errorf("denied export audited as %+v", e)
			}
		}
		if !found {
			t.Error("no audit line for the investigator's export")
		}
	})
}
