// Package scenario loads and validates load-test scenarios: YAML files
// that say how many viewers arrive and when ([Arrival]), how they behave
// ([Session]), what they watch ([Content]), on which devices and networks
// ([Device], [Network]), in which regions, against which backend
// ([Backend]), with which faults ([Fault]) and judged by which SLOs ([SLO]).
//
// Validation is strict: unknown fields, duplicate keys, wrong kinds and
// bad values are [Error] values naming the file, line, column and dotted
// field path, and every one wraps [ErrInvalid]:
//
//	s, err := scenario.Load("scenarios/quickstart.yaml")
//	if scenario.IsInvalid(err) {
//		// e.g. quickstart.yaml:9:5: viewers.arrival.rat: unknown field "rat"
//	}
//
// Values are written the way people write them: durations "90s",
// rates "50/s", bandwidths "20Mbps", sizes "50GB", fractions "0.5%",
// distributions {dist: lognormal, median: 2m, sigma: 0.5}.
package scenario
