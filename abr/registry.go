package abr

import (
	"errors"
	"fmt"
	"slices"
)

// ErrUnknown is returned by [New] and [NewEstimator] for a name they do not
// know.
var ErrUnknown = errors.New("abr: unknown name")

// ErrOffline is returned by [New] for "optimal": the offline optimum needs
// the whole future trace and is computed by the evaluator.
var ErrOffline = errors.New("abr: offline algorithm needs the whole trace (use the evaluator)")

// Optimal is the name of the offline optimum computed by the evaluator.
const Optimal = "optimal"

var algorithms = map[string]func() Algorithm{
	"throughput": func() Algorithm { return NewThroughput() },
	"bb":         func() Algorithm { return NewBB() },
	"bola":       func() Algorithm { return NewBOLA() },
	"dynamic":    func() Algorithm { return NewDynamic() },
	"mpc":        func() Algorithm { return NewMPC() },
	"robustmpc":  func() Algorithm { return NewRobustMPC() },
	"auto":       func() Algorithm { return NewAuto() },
}

// Names lists the algorithms [New] knows, sorted. "optimal" is not among
// them (see [ErrOffline]).
func Names() []string {
	names := make([]string, 0, len(algorithms))
	for n := range algorithms {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// New returns a fresh instance of the named algorithm with its default
// settings. Each player session needs its own instance.
func New(name string) (Algorithm, error) {
	if name == Optimal {
		return nil, fmt.Errorf("%q: %w", name, ErrOffline)
	}
	f, ok := algorithms[name]
	if !ok {
		return nil, fmt.Errorf("algorithm %q: %w (known: %v)", name, ErrUnknown, Names())
	}
	return f(), nil
}

var estimators = map[string]func() Estimator{
	"ewma":       func() Estimator { return NewDualEWMA() },
	"percentile": func() Estimator { return NewPercentile() },
	"harmonic":   func() Estimator { return NewHarmonic() },
}

// EstimatorNames lists the estimators [NewEstimator] knows, sorted.
func EstimatorNames() []string {
	names := make([]string, 0, len(estimators))
	for n := range estimators {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// NewEstimator returns a fresh instance of the named estimator with its
// default settings.
func NewEstimator(name string) (Estimator, error) {
	f, ok := estimators[name]
	if !ok {
		return nil, fmt.Errorf("estimator %q: %w (known: %v)", name, ErrUnknown, EstimatorNames())
	}
	return f(), nil
}

// DefaultEstimator returns the estimator players use unless told otherwise:
// a dual EWMA with Shaka's half-lives ([NewDualEWMA]).
func DefaultEstimator() Estimator { return NewDualEWMA() }
