package export

// Layout places n nodes joined by edges (pairs of node indexes) in the unit square with
// the same deterministic spring embedder as the HTML report, so that the web UI and the
// printed report draw a cluster alike. Positions are {x, y}, each in [0, 1].
func Layout(n int, edges [][2]int) [][2]float64 {
	pos := forceLayout(n, edges)
	out := make([][2]float64, len(pos))
	for i, p := range pos {
		out[i] = [2]float64{p.X, p.Y}
	}
	return out
}
