package scenario

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration written as "1m30s", "250ms" or a number of seconds.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

func (d *Duration) parseScalar(s string) error {
	v, err := parseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the Go duration form.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f < 0 || f > 1e9 || math.IsNaN(f) {
			return 0, fmt.Errorf("duration %q out of range", s)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad duration %q (want e.g. 90s, 1m30s, 250ms)", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("duration %q is negative", s)
	}
	return d, nil
}

// Rate is events per second, written "50/s", "3000/m", "10/1s" or a plain
// number (per second).
type Rate float64

func (r *Rate) parseScalar(s string) error {
	v, err := parseRate(s)
	if err != nil {
		return err
	}
	*r = Rate(v)
	return nil
}

func parseRate(s string) (float64, error) {
	s = strings.TrimSpace(s)
	num, per, ok := strings.Cut(s, "/")
	f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("bad rate %q (want e.g. 50/s, 300/m)", s)
	}
	if !ok {
		return f, nil
	}
	per = strings.TrimSpace(per)
	var unit time.Duration
	switch per {
	case "s":
		unit = time.Second
	case "m", "min":
		unit = time.Minute
	case "h":
		unit = time.Hour
	default:
		d, err := time.ParseDuration(per)
		if err != nil || d <= 0 {
			return 0, fmt.Errorf("bad rate %q: unknown unit %q (want s, m, h or a duration)", s, per)
		}
		unit = d
	}
	return f / unit.Seconds(), nil
}

// Bandwidth is bits per second, written "20Mbps", "800kbps", "10Gbps" or
// a plain number of bits per second.
type Bandwidth float64

// Bps returns the bandwidth in bits per second.
func (b Bandwidth) Bps() float64 { return float64(b) }

func (b *Bandwidth) parseScalar(s string) error {
	v, err := parseBandwidth(s)
	if err != nil {
		return err
	}
	*b = Bandwidth(v)
	return nil
}

func parseBandwidth(s string) (float64, error) {
	t := strings.TrimSpace(s)
	mult := 1.0
	lower := strings.ToLower(t)
	for _, u := range []struct {
		suffix string
		m      float64
	}{{"gbps", 1e9}, {"mbps", 1e6}, {"kbps", 1e3}, {"bps", 1}} {
		if strings.HasSuffix(lower, u.suffix) {
			mult = u.m
			t = strings.TrimSpace(t[:len(t)-len(u.suffix)])
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("bad bandwidth %q (want e.g. 20Mbps, 800kbps)", s)
	}
	return f * mult, nil
}

// Size is a number of bytes, written "50GB", "512MB", "64KiB" or a plain number.
type Size int64

func (z *Size) parseScalar(s string) error {
	t := strings.TrimSpace(s)
	mult := int64(1)
	up := strings.ToUpper(t)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"TIB", 1 << 40}, {"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}} {
		if strings.HasSuffix(up, u.suffix) {
			mult = u.m
			t = strings.TrimSpace(t[:len(t)-len(u.suffix)])
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || f*float64(mult) > math.MaxInt64/2 {
		return fmt.Errorf("bad size %q (want e.g. 50GB, 512MiB)", s)
	}
	*z = Size(f * float64(mult))
	return nil
}

// Fraction is a ratio in [0, 1], written "0.5%" or "0.005".
type Fraction float64

func (f *Fraction) parseScalar(s string) error {
	v, err := parseFraction(s)
	if err != nil {
		return err
	}
	*f = Fraction(v)
	return nil
}

func parseFraction(s string) (float64, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	t = strings.TrimSuffix(t, "%")
	f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || math.IsNaN(f) {
		return 0, fmt.Errorf("bad fraction %q (want e.g. 0.5%% or 0.005)", s)
	}
	if pct {
		f /= 100
	}
	if f < 0 || f > 1 {
		return 0, fmt.Errorf("fraction %q outside 0..100%%", s)
	}
	return f, nil
}

// Dist is a random distribution of durations. The short form is a single
// duration (a constant); the long form is a mapping:
//
//	{dist: lognormal, median: 5m, sigma: 0.8}
//	{dist: exponential, mean: 3m}
//	{dist: uniform, min: 1m, max: 20m}
//	{dist: normal, mean: 20ms, stddev: 5ms}
//	{dist: constant, value: 10m}
type Dist struct {
	Kind   string   `yaml:"dist"`
	Value  Duration `yaml:"value"`
	Mean   Duration `yaml:"mean"`
	Median Duration `yaml:"median"`
	Sigma  float64  `yaml:"sigma"`
	StdDev Duration `yaml:"stddev"`
	Min    Duration `yaml:"min"`
	Max    Duration `yaml:"max"`
}

func (d *Dist) parseScalar(s string) error {
	v, err := parseDuration(s)
	if err != nil {
		return err
	}
	*d = Dist{Kind: "constant", Value: Duration(v)}
	return nil
}

// IsZero reports whether d was not given.
func (d Dist) IsZero() bool { return d == Dist{} }

// Rand is the source of randomness a Dist draws from.
type Rand interface {
	Float64() float64
	NormFloat64() float64
	ExpFloat64() float64
}

// Sample draws one value; results are clamped to [Min, Max] when Max is set.
func (d Dist) Sample(r Rand) time.Duration {
	var v float64
	switch d.Kind {
	case "", "constant":
		v = float64(d.Value)
	case "exponential":
		v = r.ExpFloat64() * float64(d.Mean)
	case "lognormal":
		v = float64(d.Median) * math.Exp(d.Sigma*r.NormFloat64())
	case "normal":
		v = float64(d.Mean) + float64(d.StdDev)*r.NormFloat64()
	case "uniform":
		v = float64(d.Min) + r.Float64()*float64(d.Max-d.Min)
	}
	if d.Kind != "uniform" && d.Max > 0 && v > float64(d.Max) {
		v = float64(d.Max)
	}
	if v < float64(d.Min) {
		v = float64(d.Min)
	}
	if v < 0 {
		v = 0
	}
	return time.Duration(v)
}

// MeanValue is the distribution's mean (before clamping).
func (d Dist) MeanValue() time.Duration {
	switch d.Kind {
	case "exponential", "normal":
		return d.Mean.D()
	case "lognormal":
		return time.Duration(float64(d.Median) * math.Exp(d.Sigma*d.Sigma/2))
	case "uniform":
		return (d.Min + d.Max).D() / 2
	}
	return d.Value.D()
}

var errDist = errors.New("dist must be constant, exponential, lognormal, normal or uniform")

func (d Dist) check(v *validator, path string) {
	switch d.Kind {
	case "constant":
	case "exponential":
		v.require(d.Mean > 0, path+".mean", "exponential needs mean > 0")
	case "lognormal":
		v.require(d.Median > 0, path+".median", "lognormal needs median > 0")
		v.require(d.Sigma >= 0 && d.Sigma <= 5, path+".sigma", "lognormal sigma must be in 0..5")
	case "normal":
		v.require(d.Mean > 0, path+".mean", "normal needs mean > 0")
	case "uniform":
		v.require(d.Max > d.Min, path+".max", "uniform needs max > min")
	default:
		v.errf(path+".dist", "%v, not %q", errDist, d.Kind)
	}
}
