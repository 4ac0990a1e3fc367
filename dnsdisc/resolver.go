package dnsdisc

import "net"

func defaultResolver() Resolver { return net.DefaultResolver }
