package ui

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/personagraph/personagraph/api"
)

// chromium finds Debian's chromium. The browser test fails without it rather than
// skipping: .ci/run installs it, and a skipped UI test would pass CI unnoticed.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found on PATH: install it (apt-get install -y chromium; .ci/run does)")
	return ""
}

// newBrowser starts headless chromium with the flags that let it run as root in CI and
// keep it off the network.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 50*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
	})
	return ctx
}

// TestBrowser drives the UI in headless chromium over a real server and a generated
// population: sign in, open the queue, open the top cluster, see its graph and flags,
// label it, export it, and explain two of its records. PG_UI_SCREENSHOTS=DIR also saves
// a screenshot of each page there.
func TestBrowser(t *testing.T) {
	f := newUIFixture(t, t1Small)
	top := f.topCluster(t)
	ctx := newBrowser(t)
	shots := os.Getenv("PG_UI_SCREENSHOTS")
	snap := func(name string) {
		if shots == "" {
			return
		}
		png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("main")))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(expr string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return n
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}

	step("sign in",
		chromedp.Navigate(f.srv.URL+"/queue"),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), f.tokens[api.RoleInvestigator]),
		chromedp.Submit(chromedp.ID("token")),
		// The sign-in form carried next=/queue: the queue opens.
		chromedp.WaitVisible(chromedp.ID("filters")),
	)
	snap("queue")
	if first := text("table.queue tbody tr a.cluster-link"); first != top.ID {
		t.Fatalf("first queue row %q, want the riskiest cluster %s", first, top.ID)
	}

	step("open the top cluster",
		chromedp.Click(chromedp.CSS("table.queue tbody tr a.cluster-link")),
		chromedp.WaitVisible(chromedp.ID("cluster-graph")),
	)
	snap("cluster")
	if shots != "" {
		png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.ID("cluster-graph")))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shots, "cluster-graph.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got := text("#cluster-id"); got != top.ID {
		t.Fatalf("cluster page of %q, want %s", got, top.ID)
	}
	if n := eval(`document.querySelectorAll("#cluster-graph circle.persona").length`); n < 2 {
		t.Fatalf("graph has %d persona nodes", n)
	}
	if n := eval(`document.querySelectorAll("#cluster-graph rect.value").length`); n < 1 {
		t.Fatalf("graph has %d value nodes", n)
	}
	if n := eval(`document.querySelectorAll("#cluster-graph line.e").length`); n < 2 {
		t.Fatalf("graph has %d edges", n)
	}
	if flags := text("#flags"); !strings.Contains(flags, top.Flags[0]) {
		t.Fatalf("flags table %q lacks %s", flags, top.Flags[0])
	}

	step("confirm the ring",
		// The button asks for confirmation; answer yes without a dialog.
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.SendKeys(chromedp.CSS(`#labels input[name=note]`), "same payout account"),
		chromedp.Click(chromedp.ID("confirm-ring")),
		chromedp.WaitVisible(chromedp.ID("cluster-label")),
	)
	if got := text("#cluster-label"); got != "Confirmed ring" {
		t.Fatalf("label badge %q", got)
	}
	l, err := f.eng.ClusterLabel(context.Background(), top.ID)
	if err != nil || l == nil || l.Label != "confirmed_ring" || l.By != "investigator-user" || l.Note != "same payout account" {
		t.Fatalf("stored label %+v, %v", l, err)
	}

	// Export: the browser downloads the JSON evidence into a directory we read.
	dl := t.TempDir()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	step("export",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dl, EventsEnabled: new(true)})
			return err
		}),
		chromedp.Click(chromedp.ID("export-json")),
	)
	var guid string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("download cancelled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			guid = ev.GUID
			break
		}
	}
	b, err := os.ReadFile(filepath.Join(dl, guid))
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Cluster struct {
			ID string `json:"cluster_id"`
		} `json:"cluster"`
		Members []json.RawMessage `json:"members"`
	}
	if err := json.Unmarshal(b, &ev); err != nil || ev.Cluster.ID != top.ID || len(ev.Members) != top.Size {
		t.Fatalf("downloaded evidence: cluster %q with %d members (%v), want %s with %d", ev.Cluster.ID, len(ev.Members), err, top.ID, top.Size)
	}

	step("explain two members",
		chromedp.Navigate(f.srv.URL+"/explain"),
		chromedp.SendKeys(chromedp.CSS(`#explain-form input[name=a]`), top.Records[0]),
		chromedp.SendKeys(chromedp.CSS(`#explain-form input[name=b]`), top.Records[1]),
		chromedp.Submit(chromedp.CSS(`#explain-form input[name=a]`)),
		chromedp.WaitVisible(chromedp.ID("explanation")),
	)
	snap("explain")
	if n := eval(`document.querySelectorAll("#fields tbody tr").length`); n < 3 {
		t.Fatalf("explain shows %d field rows", n)
	}
	if ex := text("#explanation h2"); !strings.Contains(ex, top.Records[0]) || !strings.Contains(ex, top.Records[1]) {
		t.Fatalf("explanation heading %q", ex)
	}

	step("dashboard", chromedp.Navigate(f.srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("svg.histogram")))
	snap("dashboard")
	if n := eval(`document.querySelectorAll("svg.histogram rect.bar").length`); n != len(sizeBins())+len(riskBins()) {
		t.Fatalf("dashboard draws %d bars, want %d", n, len(sizeBins())+len(riskBins()))
	}
	step("sign out", chromedp.Click(chromedp.ID("signout")), chromedp.WaitVisible(chromedp.ID("login")))
}
