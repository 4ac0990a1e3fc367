package main

// nodeFileKeys are the keys of a --config file that set up the command
// itself rather than the Server (devp2p.LoadConfigExtra reads them beside
// the devp2p.Config fields). A flag given on the command line wins over its
// key, as for every other setting.
type nodeFileKeys struct {
	// MetricsAddr is --metrics.addr: serve Prometheus metrics there.
	MetricsAddr string
	// Pprof is --pprof: also serve /debug/pprof on MetricsAddr.
	Pprof bool

	// RPCAddr, RPCAllowRemote and RPCSecretFile are --rpc.addr,
	// --rpc.allow-remote and --rpc.secret: the admin API (admin.go).
	RPCAddr        string
	RPCAllowRemote bool
	RPCSecretFile  string
	// IPC is --ipc, the admin API's unix socket; absent means on.
	IPC *bool
}
