package graph

import (
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/letter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/registry"
)

// The index's tokenizers split exactly as Bleve's whitespace and letter tokenizers.
func FuzzTokenizersMatchBleve(f *testing.F) {
	for _, s := range []string{"", "ann  lee", " go, rust & c++ ", "Дмитрий Иванов", "a\xffb c", "x\u00a0y\tz\n", "日本語 テキスト"} {
		f.Add(s)
	}
	cache := registry.NewCache()
	pairs := map[string]string{spaceTokenizer: whitespace.Name, letterTokenizer: letter.Name}
	f.Fuzz(func(t *testing.T, s string) {
		for ours, theirs := range pairs {
			a, err := cache.TokenizerNamed(ours)
			if err != nil {
				t.Fatal(err)
			}
			b, err := cache.TokenizerNamed(theirs)
			if err != nil {
				t.Fatal(err)
			}
			got, want := a.Tokenize([]byte(s)), b.Tokenize([]byte(s))
			if !sameTokens(got, want) {
				t.Fatalf("%s tokenizes %q as %v, %s as %v", ours, s, got, theirs, want)
			}
		}
	})
}

func sameTokens(a, b analysis.TokenStream) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if string(x.Term) != string(y.Term) || x.Start != y.Start || x.End != y.End || x.Position != y.Position || x.Type != y.Type {
			return false
		}
	}
	return true
}
