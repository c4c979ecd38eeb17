package export

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"time"
)

// ManifestName is the bundle's manifest file.
const ManifestName = "manifest.json"

// ManifestVersion is the version of the manifest layout.
const ManifestVersion = 1

// ErrTampered is wrapped by every Verify failure that means the bundle's files differ
// from its manifest: a changed, missing or added file.
var ErrTampered = errors.New("export: bundle does not match its manifest")

// ErrDirNotEmpty is returned by WriteBundle for a directory that already holds files:
// mixing old files into a bundle would make it fail verification later.
var ErrDirNotEmpty = errors.New("export: bundle directory is not empty")

// Manifest lists a bundle's files with their SHA-256 and says what produced them.
type Manifest struct {
	ManifestVersion int            `json:"manifest_version"`
	Tool            string         `json:"tool"`
	EngineVersion   string         `json:"engine_version"`
	Created         time.Time      `json:"created"` // the evidence's Generated time, UTC
	ClusterID       string         `json:"cluster_id"`
	Query           string         `json:"query"`
	Files           []ManifestFile `json:"files"`
	// Digest is the SHA-256 of manifest.json as written, for the investigator to record
	// elsewhere (case notes): Verify proves the files match the manifest, the digest
	// proves the manifest is the one written.
	Digest string `json:"-"`
}

// ManifestFile is one file of a bundle.
type ManifestFile struct {
	Name   string `json:"name"`
	Format string `json:"format"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// BundleOptions are per-call options of WriteBundle and WriteBundleZip; nil means none.
type BundleOptions struct {
	// Query is what was asked for, recorded in the manifest: the command line or the
	// HTTP request. Default: "".
	Query string
	// EngineVersion is recorded in the manifest. Default: EngineVersion().
	EngineVersion string
}

// EngineVersion is the running binary's version: the main module's version and, when the
// binary was built from a VCS checkout, its revision ("+<rev>", "-dirty" if modified).
func EngineVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	var rev string
	var dirty bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		v += "+" + rev
		if dirty {
			v += "-dirty"
		}
	}
	return v
}

type bundleFile struct {
	name, format string
	data         []byte
}

var safeBase = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// bundleFiles renders every format in memory, and the manifest last.
func bundleFiles(ev *Evidence, o *BundleOptions) ([]bundleFile, *Manifest, error) {
	if o == nil {
		o = &BundleOptions{}
	}
	base := ev.Cluster.ID
	if !safeBase.MatchString(base) {
		base = "cluster"
	}
	var files []bundleFile
	for _, f := range formats {
		if f.Name == "csv" {
			for _, t := range csvTables(ev) {
				var b bytes.Buffer
				if err := writeCSVRows(&b, t.header, t.rows); err != nil {
					return nil, nil, fmt.Errorf("export: csv: %w", err)
				}
				files = append(files, bundleFile{t.name + ".csv", "csv", b.Bytes()})
			}
			continue
		}
		var b bytes.Buffer
		if err := f.Write(&b, ev); err != nil {
			return nil, nil, err
		}
		files = append(files, bundleFile{base + f.Ext, f.Name, b.Bytes()})
	}
	m := &Manifest{ManifestVersion: ManifestVersion, Tool: "personagraph", EngineVersion: o.EngineVersion, Created: ev.Generated.UTC(),
		ClusterID: ev.Cluster.ID, Query: o.Query}
	if m.EngineVersion == "" {
		m.EngineVersion = EngineVersion()
	}
	for _, f := range files {
		sum := sha256.Sum256(f.data)
		m.Files = append(m.Files, ManifestFile{Name: f.name, Format: f.format, Bytes: int64(len(f.data)), SHA256: hex.EncodeToString(sum[:])})
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, nil, fmt.Errorf("export: manifest: %w", err)
	}
	mb = append(mb, '\n')
	sum := sha256.Sum256(mb)
	m.Digest = hex.EncodeToString(sum[:])
	return append(files, bundleFile{ManifestName, "manifest", mb}), m, nil
}

// WriteBundle writes every format and manifest.json into dir, which is created if it
// does not exist and must otherwise be empty. Files are written owner-only: they hold
// personal data.
func WriteBundle(dir string, ev *Evidence, o *BundleOptions) (*Manifest, error) {
	files, m, err := bundleFiles(ev, o)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("export: bundle: %w", err)
	}
	if ents, err := os.ReadDir(dir); err != nil {
		return nil, fmt.Errorf("export: bundle: %w", err)
	} else if len(ents) > 0 {
		return nil, fmt.Errorf("%s: %w", dir, ErrDirNotEmpty)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o600); err != nil {
			return nil, fmt.Errorf("export: bundle: %w", err)
		}
	}
	return m, nil
}

// WriteBundleZip writes the bundle as a zip archive whose files sit in one directory
// named after the cluster, so unzipping it gives a directory Verify checks. Entry times
// are the evidence's Generated time, so the archive's bytes depend only on the evidence.
func WriteBundleZip(w io.Writer, ev *Evidence, o *BundleOptions) (*Manifest, error) {
	files, m, err := bundleFiles(ev, o)
	if err != nil {
		return nil, err
	}
	dir := ev.Cluster.ID
	if !safeBase.MatchString(dir) {
		dir = "cluster"
	}
	zw := zip.NewWriter(w)
	for _, f := range files {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: dir + "/" + f.name, Method: zip.Deflate, Modified: ev.Generated.UTC()})
		if err != nil {
			return nil, fmt.Errorf("export: bundle zip: %w", err)
		}
		if _, err := fw.Write(f.data); err != nil {
			return nil, fmt.Errorf("export: bundle zip: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("export: bundle zip: %w", err)
	}
	return m, nil
}

// ReadManifest reads a bundle directory's manifest.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, fmt.Errorf("export: manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("export: manifest: %w", err)
	}
	sum := sha256.Sum256(b)
	m.Digest = hex.EncodeToString(sum[:])
	return &m, nil
}

// Verify re-hashes every file a bundle's manifest lists and reports each difference: a
// changed or missing file, or a file in the directory the manifest does not list. Each
// is wrapped with ErrTampered; a manifest that cannot be read is an error without it.
// It does not prove the manifest itself unchanged: compare Manifest.Digest (from
// ReadManifest) with the digest recorded when the bundle was written.
func Verify(dir string) error {
	m, err := ReadManifest(dir)
	if err != nil {
		return err
	}
	var errs []error
	listed := map[string]bool{ManifestName: true}
	for _, f := range m.Files {
		if f.Name != filepath.Base(f.Name) || f.Name == "." || f.Name == ".." || f.Name == ManifestName || !filepath.IsLocal(f.Name) {
			errs = append(errs, fmt.Errorf("manifest lists %q, which is not a plain file name: %w", f.Name, ErrTampered))
			continue
		}
		listed[f.Name] = true
		b, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w: %w", f.Name, ErrTampered, err))
			continue
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != f.SHA256 {
			errs = append(errs, fmt.Errorf("%s: sha256 %s, manifest says %s: %w", f.Name, got, f.SHA256, ErrTampered))
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("export: verify: %w", err))...)
	}
	var extra []string
	for _, e := range ents {
		if !listed[e.Name()] {
			extra = append(extra, e.Name())
		}
	}
	slices.Sort(extra)
	for _, name := range extra {
		errs = append(errs, fmt.Errorf("%s: not in the manifest: %w", name, ErrTampered))
	}
	return errors.Join(errs...)
}
