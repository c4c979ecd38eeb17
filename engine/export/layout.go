package export

import "math"

// point is a position in the unit square.
type point struct{ X, Y float64 }

// layoutIterations bounds the force layout's work: O(iterations * n^2) for n nodes, about
// 0.1 s for 500 nodes.
const layoutIterations = 150

// gravity is the pull towards the centre, relative to the spring force.
const gravity = 0.1

// forceLayout places n nodes joined by edges in the unit square with Fruchterman and
// Reingold's spring embedder, run unbounded and then scaled to the square. It is
// deterministic (no randomness: nodes start on a golden-angle spiral in index order),
// so the same cluster always draws the same picture and the HTML export can be compared
// to a golden file. gonum's EadesR2 needs a
// random source and a gonum graph for the same result on pictures of this size.
func forceLayout(n int, edges [][2]int) []point {
	pos := make([]point, n)
	if n == 0 {
		return pos
	}
	golden := math.Pi * (3 - math.Sqrt(5))
	for i := range pos {
		r := 0.45 * math.Sqrt((float64(i)+0.5)/float64(n))
		pos[i] = point{0.5 + r*math.Cos(float64(i)*golden), 0.5 + r*math.Sin(float64(i)*golden)}
	}
	if n == 1 {
		return pos
	}
	k := math.Sqrt(1 / float64(n))
	disp := make([]point, n)
	for it := range layoutIterations {
		temp := 0.1 * (1 - float64(it)/layoutIterations)
		clear(disp)
		for i := range n {
			for j := i + 1; j < n; j++ {
				dx, dy := pos[i].X-pos[j].X, pos[i].Y-pos[j].Y
				d2 := dx*dx + dy*dy
				if d2 < 1e-12 {
					// Coincident nodes: push apart along a direction fixed by the indexes.
					a := float64(i*31+j) * golden
					dx, dy, d2 = 1e-3*math.Cos(a), 1e-3*math.Sin(a), 1e-6
				}
				f := k * k / d2 // repulsion k^2/d, times the unit vector (dx,dy)/d
				disp[i].X += dx * f
				disp[i].Y += dy * f
				disp[j].X -= dx * f
				disp[j].Y -= dy * f
			}
		}
		for _, e := range edges {
			a, b := e[0], e[1]
			dx, dy := pos[a].X-pos[b].X, pos[a].Y-pos[b].Y
			d := math.Sqrt(dx*dx + dy*dy)
			f := d / k // attraction d^2/k, times the unit vector
			disp[a].X -= dx * f
			disp[a].Y -= dy * f
			disp[b].X += dx * f
			disp[b].Y += dy * f
		}
		for i := range pos {
			// Gravity towards the centre keeps loosely tied parts from drifting off.
			disp[i].X -= (pos[i].X - 0.5) * gravity / k
			disp[i].Y -= (pos[i].Y - 0.5) * gravity / k
			d := math.Sqrt(disp[i].X*disp[i].X + disp[i].Y*disp[i].Y)
			if d > 0 {
				step := math.Min(d, temp) / d
				pos[i].X += disp[i].X * step
				pos[i].Y += disp[i].Y * step
			}
		}
	}
	return normalise(pos)
}

// normalise stretches the positions to fill the unit square, keeping the aspect ratio
// and centring the picture.
func normalise(pos []point) []point {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range pos {
		minX, maxX = math.Min(minX, p.X), math.Max(maxX, p.X)
		minY, maxY = math.Min(minY, p.Y), math.Max(maxY, p.Y)
	}
	span := math.Max(maxX-minX, maxY-minY)
	if span < 1e-9 {
		return pos
	}
	// Centre the shorter side.
	padX, padY := (1-(maxX-minX)/span)/2, (1-(maxY-minY)/span)/2
	for i := range pos {
		pos[i] = point{padX + (pos[i].X-minX)/span, padY + (pos[i].Y-minY)/span}
	}
	return pos
}

// layout lays out a graph view.
func (g *graphView) layout() []point {
	edges := make([][2]int, len(g.edges))
	for i, e := range g.edges {
		edges[i] = [2]int{e.Source, e.Target}
	}
	return forceLayout(len(g.nodes), edges)
}

// kindColours gives each identifier kind a colour in the pictures (HTML, GEXF); other
// kinds are grey.
var kindColours = map[string][3]byte{
	"device":          {214, 39, 40},
	"payment":         {255, 127, 14},
	"email":           {31, 119, 180},
	"phone":           {44, 160, 44},
	"address":         {148, 103, 189},
	"document":        {140, 86, 75},
	"profile":         {227, 119, 194},
	"username":        {188, 189, 34},
	"photo":           {23, 190, 207},
	"cv_shingle_band": {174, 199, 232},
	"ip":              {152, 223, 138},
}

// recordColour is the colour of record nodes.
var recordColour = [3]byte{60, 60, 60}

func kindColour(kind string) [3]byte {
	if c, ok := kindColours[kind]; ok {
		return c
	}
	return [3]byte{127, 127, 127}
}
