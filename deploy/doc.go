// Package deploy holds no Go code: it is the home of the files operators
// install beside the porthole binary, and of the tests that check them
// with the real tools.
//
//   - systemd/porthole-collector.service: the collector as a hardened
//     system service (DynamicUser, StateDirectory for the spool,
//     ProtectSystem=strict), checked with `systemd-analyze verify` and
//     `systemd-analyze security`.
//   - systemd/porthole.conf: the tmpfiles.d entry for /run/porthole,
//     checked with `systemd-tmpfiles --create --root`.
//   - prometheus/porthole-rules.yml: alerting rules on the collector's
//     /metrics, checked with `promtool check rules` and unit-tested with
//     `promtool test rules prometheus/porthole-rules_test.yml`.
//
// Each test skips, saying why, where its tool is not installed; .ci/run
// installs them (packages systemd and prometheus).
package deploy
