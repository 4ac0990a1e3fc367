// Command dashpic draws the dashboard picture of the README from real
// metrics. It starts a handful of devp2p Servers in this process on
// 127.0.0.1 (discovery v4 and v5, one bootnode, a small echo protocol so
// that messages flow), gives one of them its own Prometheus registry as
// Config.Metrics, samples that registry every second, and renders six
// panels like the main panels of docs/grafana/devp2p.json (peers, dials,
// admission verdicts, traffic, discovery packets, table size) as one
// self-contained SVG. Midway one other node is stopped and later started
// again at the same address, so drops and dials show; a grey band marks
// the time it was down.
//
//	go run ./internal/tools/dashpic -out docs/dashboard.svg [-nodes 6] [-duration 90s]
//
// Nothing is simulated: the servers talk over real loopback sockets on
// the wall clock, so two runs never draw quite the same picture.
package main
