// Package trace reads the bandwidth traces and video descriptions of the
// ABR research community into two plain types: [Trace] (a capacity series)
// and [Video] (a ladder with per-segment sizes).
//
// Trace formats:
//   - Pensieve's two-column text ([ParsePensieve]): "time_s mbit_per_s";
//   - Sabre's JSON period lists ([ParseSabre]): duration, bandwidth and
//     latency per period;
//   - Mahimahi packet-delivery files ([ParseMahimahi]): one millisecond
//     timestamp per 1500-byte delivery opportunity.
//
// Video formats: Pensieve size files, one per level ([ParsePensieveSizes],
// [LoadPensieveVideo]), and Sabre's JSON description ([ParseSabreVideo]).
//
// Every parser reports bad input as a [*ParseError] naming the file, the
// line and the field; errors.Is(err, [ErrSyntax]) or [ErrEmpty] tell the
// kind.
package trace
