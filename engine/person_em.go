package engine

import "math"

// EM for the m-probabilities. u comes from random pairs and lambda from a strict rule
// (fitModel); what is left to learn is how often one person's records agree at each level,
// and that differs between sources: one keys every name twice with typos, another
// replaces given names, a third has a birth date wrong in one record of ten. Held at
// fixed priors, m made the first two look like non-matches.
//
// Each round weighs every candidate pattern by its posterior under the current model
// (E) and sets m to the weighted level frequencies (M), blended with mPrior as
// mPriorWeight pseudo-pairs: a small store, or one whose matches never show a level,
// keeps the prior rather than a zero. Unconstrained EM over m and the match share
// settled on "common name, same birth year" as the match class on RLdata (candidate
// pairs are mostly such non-matches); here the match share stays the strict rule's, so
// the classes cannot swap.
//
// EM may raise a level's m above its prior but not lower it below (the levels are then
// renormalised). The E step is circular where records of one person disagree: pairs
// that disagree are mostly rejected, so the learnt m says disagreement is rarer than it
// is, and rejects more of them the next round; on the generated population, different
// e-mails came to weigh 1:25 against and same-name records at one address stopped
// matching. Raising only lets the data say which disagreements a source makes often.
const (
	mPriorWeight = 200
	emRounds     = 30
	emTolerance  = 1e-5
)

// estimateM runs EM for md.m over the candidate pattern counts, keeping u in step with m
// (correctU from uObs).
func estimateM(md *fsModel, uObs *[numFields][8]float64, counts map[pattern]float64) {
	for range emRounds {
		var num [numFields][8]float64
		for p, c := range counts {
			w := c * md.posterior(p)
			if w == 0 {
				continue
			}
			for f := range numFields {
				if l := p.level(f); l < fieldLevels[f] {
					num[f][l] += w
				}
			}
		}
		change := 0.0
		for f := range numFields {
			total := float64(mPriorWeight)
			for l := range fieldLevels[f] {
				total += num[f][l]
			}
			var m [8]float64
			for l := range fieldLevels[f] {
				m[l] = max((num[f][l]+mPriorWeight*mPrior[f][l])/total, mPrior[f][l])
			}
			normalise(m[:fieldLevels[f]])
			for l := range fieldLevels[f] {
				change = max(change, math.Abs(m[l]-md.m[f][l]))
				md.m[f][l] = m[l]
			}
		}
		md.correctU(uObs)
		if change < emTolerance {
			return
		}
	}
}
