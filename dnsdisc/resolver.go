package dnsdisc

import (
	"context"
	"net"
)

// The resolvers below use Go's own DNS client with connections that close
// when the query's context ends. net.Resolver alone notices a cancelled
// context only between round trips: a server that never answers would hold
// a query, and so the iterator's Close, for the resolver's own timeout (5 s
// per try by default).

// defaultResolver asks the system's DNS servers (/etc/resolv.conf).
func defaultResolver() Resolver {
	return &net.Resolver{PreferGo: true, Dial: cancelableDial("", dialNet)}
}

// NewResolver returns a resolver that sends every query to the DNS server at
// addr (HOST:PORT), over UDP, or TCP when an answer is too long for UDP.
// A query ends as soon as its context does. Use it for private networks and
// tests.
func NewResolver(addr string) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: cancelableDial(addr, dialNet)}
}

type dialFunc func(ctx context.Context, network, address string) (net.Conn, error)

func dialNet(ctx context.Context, network, address string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, address)
}

// cancelableDial dials the server the resolver asks for, or addr if set,
// and closes the connection when ctx ends. The connection is returned as
// is: the resolver tells UDP from TCP by its type.
func cancelableDial(addr string, dial dialFunc) dialFunc {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		if addr != "" {
			address = addr
		}
		c, err := dial(ctx, network, address)
		if err != nil {
			return nil, err
		}
		// The resolver's per-try context always ends (it is cancelled when
		// the try returns), so this never outlives the query.
		context.AfterFunc(ctx, func() { c.Close() })
		return c, nil
	}
}
