// Package arrival turns a scenario's arrival process into the times at
// which viewers press play. Constant, ramp and sine processes walk
// vegeta's pacers (ConstantPacer, LinearPacer, SinePacer) in virtual time,
// the way vegeta's attacker does in real time; Poisson and flash-crowd
// processes draw from a seeded source. The live mode hands the same
// pacers to vegeta's attacker.
package arrival
