package nat_test

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/devp2p-go/devp2p/nat"
)

// Parse reads the text of a --nat flag or a config file's NAT field. It never
// touches the network: a gateway is looked for only when the mechanism is
// first used.
func ExampleParse() {
	for _, spec := range []string{"none", "extip:1.2.3.4", "pmp:192.168.1.1", "upnp", "bogus"} {
		n, err := nat.Parse(spec)
		switch {
		case err != nil:
			fmt.Printf("%-16s error\n", spec)
		case n == nil:
			fmt.Printf("%-16s no NAT handling\n", spec)
		default:
			fmt.Printf("%-16s %v\n", spec, n)
		}
	}
	// Output:
	// none             no NAT handling
	// extip:1.2.3.4    extip:1.2.3.4
	// pmp:192.168.1.1  pmp:192.168.1.1
	// upnp             upnp
	// bogus            error
}

// A Mapper keeps the node's ports mapped and reports the external endpoint.
// With a fixed external IP nothing is mapped on a gateway: the ports are
// taken as forwarded by hand.
func ExampleStartMapper() {
	n, err := nat.Parse("extip:203.0.113.7")
	if err != nil {
		panic(err)
	}
	changed := make(chan nat.Endpoints, 1)
	m := nat.StartMapper(n, 30303, 30303, nat.MapperConfig{
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Changed: func(ep nat.Endpoints) { changed <- ep },
	})
	defer m.Close()

	ep := <-changed // the first round runs at once on the Mapper's goroutine
	fmt.Printf("reachable at %v, tcp %d, udp %d\n", ep.IP, ep.TCP, ep.UDP)
	// Output: reachable at 203.0.113.7, tcp 30303, udp 30303
}
