package benchmarks

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// ScoredPair is a candidate pair with the engine's match score.
type ScoredPair struct {
	A, B  string
	Score float64
}

// SplitScores splits pair scores by whether the truth puts both records in one cluster.
// Pairs with a record the truth does not know are counted in unknown and left out.
func SplitScores(pairs []ScoredPair, truth *Partition) (match, nonMatch []float64, unknown int) {
	for _, p := range pairs {
		ca, okA := truth.Cluster(p.A)
		cb, okB := truth.Cluster(p.B)
		switch {
		case !okA || !okB:
			unknown++
		case ca == cb:
			match = append(match, p.Score)
		default:
			nonMatch = append(nonMatch, p.Score)
		}
	}
	return match, nonMatch, unknown
}

var (
	colourMatch    = color.NRGBA{R: 0x1b, G: 0x9e, B: 0x77, A: 0xb0}
	colourNonMatch = color.NRGBA{R: 0xd9, G: 0x5f, B: 0x02, A: 0xb0}
	colourTruth    = color.NRGBA{R: 0x75, G: 0x70, B: 0xb3, A: 0xff}
)

const (
	plotWidth  = 16 * vg.Centimeter
	plotHeight = 10 * vg.Centimeter
)

// WriteScoreSVG draws the score distributions of true matches and non-matches as two
// overlaid histograms over the same bins (bins <= 0 means 40). Each is normalised to
// area 1: non-matches outnumber matches by orders of magnitude, and what a threshold
// needs is the overlap of the shapes. The legend gives the counts.
func WriteScoreSVG(w io.Writer, match, nonMatch []float64, bins int, title string) error {
	if bins <= 0 {
		bins = 40
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range [][]float64{match, nonMatch} {
		for _, v := range s {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return errors.New("score plot: NaN or infinite score")
			}
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if lo > hi { // no scores at all
		lo, hi = 0, 1
	}
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "score"
	p.Y.Label.Text = "density"
	width := (hi - lo) / float64(bins)
	for _, s := range []struct {
		name   string
		values []float64
		colour color.Color
	}{{"non-match", nonMatch, colourNonMatch}, {"match", match, colourMatch}} {
		h := &plotter.Histogram{Bins: make([]plotter.HistogramBin, bins), Width: width, FillColor: s.colour, LineStyle: plotter.DefaultLineStyle}
		h.LineStyle.Width = vg.Points(0.5)
		for i := range h.Bins {
			h.Bins[i].Min = lo + float64(i)*width
			h.Bins[i].Max = lo + float64(i+1)*width
		}
		for _, v := range s.values {
			i := min(int((v-lo)/width), bins-1)
			h.Bins[i].Weight++
		}
		if len(s.values) > 0 {
			for i := range h.Bins {
				h.Bins[i].Weight /= float64(len(s.values)) * width
			}
		}
		p.Add(h)
		p.Legend.Add(fmt.Sprintf("%s (%d pairs)", s.name, len(s.values)), h)
	}
	p.Legend.Top = true
	return writeSVG(w, p)
}

// WriteSizeSVG draws where records live by cluster size: for each size bin of the
// report, the share of records in predicted clusters of that size next to the truth's.
// Records rather than clusters, because singletons dominate cluster counts and would
// flatten every other bar.
func WriteSizeSVG(w io.Writer, r *Report, title string) error {
	if r == nil {
		return errors.New("size plot: nil report")
	}
	n := max(len(r.SizeHistogram), len(r.TruthSizeHistogram))
	pred, truth := make(plotter.Values, n), make(plotter.Values, n)
	labels := make([]string, n)
	total := func(bins []SizeBin) float64 {
		t := 0
		for _, b := range bins {
			t += b.Records
		}
		return float64(max(t, 1))
	}
	tp, tt := total(r.SizeHistogram), total(r.TruthSizeHistogram)
	for i := range n {
		labels[i] = newBin(i).Label
		if i < len(r.SizeHistogram) {
			pred[i] = float64(r.SizeHistogram[i].Records) / tp
		}
		if i < len(r.TruthSizeHistogram) {
			truth[i] = float64(r.TruthSizeHistogram[i].Records) / tt
		}
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "cluster size"
	p.Y.Label.Text = "share of records"
	if n == 0 {
		return writeSVG(w, p)
	}
	barW := vg.Points(10)
	bp, err := plotter.NewBarChart(pred, barW)
	if err != nil {
		return fmt.Errorf("size plot: %w", err)
	}
	bp.Color, bp.Offset = colourNonMatch, -barW/2
	bt, err := plotter.NewBarChart(truth, barW)
	if err != nil {
		return fmt.Errorf("size plot: %w", err)
	}
	bt.Color, bt.Offset = colourTruth, barW/2
	p.Add(bp, bt)
	p.Legend.Add("predicted", bp)
	p.Legend.Add("truth", bt)
	p.Legend.Top = true
	p.NominalX(labels...)
	return writeSVG(w, p)
}

func writeSVG(w io.Writer, p *plot.Plot) error {
	wt, err := p.WriterTo(plotWidth, plotHeight, "svg")
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	if _, err := wt.WriteTo(w); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	return nil
}
