// Package sabre is a faithful Go port of Sabre, the ABR simulator of
// Spiteri, Sitaraman and Sparacio ("From theory to practice: improving
// bitrate adaptation in the DASH reference player", MMSys 2018;
// sabre.py, BSD 2-Clause), so that figures measured on Sabre's data can be
// compared with the literature.
//
// [Run] follows sabre.py's main loop: the first segment at the lowest
// level; before each request the player waits until the buffer has room
// for one more segment; a request first spends one latency of trace time,
// then the transfer walks the trace's periods (looping at its end);
// throughput samples leave the latency out and are averaged by Sabre's
// two EWMAs (half-lives 3 s and 8 s); while a segment downloads the
// algorithm may abandon it every 12000 bits or 50 ms. [Metrics] are the
// figures sabre.py prints, with its γp = 5 s score.
//
// Sabre's algorithms are made by their sabre.py names with [New]: "bola"
// ([Bola]), "bolae" ([BolaE]), "dynamic" ([Dynamic]), "dynamicdash"
// ([DynamicDash]) and "throughput" ([Throughput]). [Adapt] runs any
// [github.com/abrkit/abrkit/abr.Algorithm] under the same rules, so
// abrkit's algorithms can be compared with Sabre's on equal terms; the
// evaluator's "sabre" preset does this.
//
// Units are Sabre's: milliseconds, bits and kbit/s (bits per ms).
package sabre
