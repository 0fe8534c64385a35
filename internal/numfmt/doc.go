// Package numfmt formats numbers one way for every porthole output, the
// CLI's tables and the dashboard alike: counts with thousands separators
// ("12,345"), byte amounts in IEC units ("1.5 MiB"), rates with "/s"
// ("412/s", "2.0 MiB/s").
//
// # Basics
//
// Value and Rate take the unit a metric was registered with: "bytes"
// (or "byte", "B") selects IEC units, anything else is a plain number.
//
// # Caveats
//
//   - Fractions keep one decimal below 100 and none above, so columns of
//     rates stay narrow; exact totals are Count's job.
package numfmt
