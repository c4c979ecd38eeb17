package graph

import "fmt"

// Level is a layer of clusters (DESIGN.md section 2).
type Level uint8

const (
	// Person clusters hold the records of one human.
	Person Level = iota + 1
	// Operator clusters hold person clusters tied by shared infrastructure.
	Operator
)

// Levels returns every level, in display order.
func Levels() []Level { return []Level{Person, Operator} }

func (l Level) String() string {
	switch l {
	case Person:
		return "person"
	case Operator:
		return "operator"
	}
	return fmt.Sprintf("Level(%d)", uint8(l))
}

func (l Level) byte() byte { return byte(l) }

// ParseLevel reads "person" or "operator".
func ParseLevel(s string) (Level, error) {
	switch s {
	case "person":
		return Person, nil
	case "operator":
		return Operator, nil
	}
	return 0, fmt.Errorf("graph: unknown level %q (want person or operator)", s)
}
