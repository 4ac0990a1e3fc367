package main

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

// Flags of the commands that make a node's address from a key.
var (
	keyIPFlag  = &cli.StringFlag{Name: "ip", Value: "127.0.0.1", Usage: "IP address of the node (IPv4 or IPv6)"}
	keyTCPFlag = &cli.IntFlag{Name: "tcp", Value: 30303, Usage: "TCP (RLPx) port, 0 for none"}
	keyUDPFlag = &cli.IntFlag{Name: "udp", Value: 30303, Usage: "UDP (discovery) port, 0 for none"}
)

var keyCommand = &cli.Command{
	Name:  "key",
	Usage: "create node keys and show the identity they give",
	Commands: []*cli.Command{
		{
			Name:      "generate",
			Usage:     "write a new node key (64 hex characters) to FILE",
			ArgsUsage: "FILE",
			Flags: []cli.Flag{
				&cli.BoolFlag{Name: "force", Usage: "overwrite FILE if it exists"},
			},
			Action: keyGenerate,
		},
		{
			Name:      "to-enode",
			Usage:     "print the enode:// URL of the node key in FILE",
			ArgsUsage: "FILE",
			Flags:     []cli.Flag{keyIPFlag, keyTCPFlag, keyUDPFlag},
			Action:    keyToEnode,
		},
		{
			Name:      "to-enr",
			Usage:     "print a node record (enr:...) signed by the node key in FILE",
			ArgsUsage: "FILE",
			Flags: []cli.Flag{
				keyIPFlag, keyTCPFlag, keyUDPFlag,
				&cli.Uint64Flag{Name: "seq", Value: 1, Usage: "sequence number of the record (raise it for each new version)"},
			},
			Action: keyToENR,
		},
		{
			Name:      "to-id",
			Usage:     "print the node ID of the node key in FILE",
			ArgsUsage: "FILE",
			Action:    keyToID,
		},
	},
}

func keyGenerate(_ context.Context, cmd *cli.Command) error {
	file, err := oneArg(cmd, "FILE")
	if err != nil {
		return err
	}
	if !cmd.Bool("force") {
		if _, err := os.Stat(file); err == nil {
			return fmt.Errorf("%s already exists (use --force to overwrite)", file)
		}
	}
	key, err := crypto.GenerateKey()
	if err != nil {
		return err
	}
	if err := crypto.SaveECDSA(file, key); err != nil {
		return fileError("write key file", file, err)
	}
	fmt.Println(enode.PubkeyToIDV4(&key.PublicKey))
	return nil
}

// keyAddress reads the key FILE argument and the --ip/--tcp/--udp flags.
func keyAddress(cmd *cli.Command) (key *ecdsa.PrivateKey, ip netip.Addr, tcp, udp int, err error) {
	file, err := oneArg(cmd, "FILE")
	if err != nil {
		return nil, ip, 0, 0, err
	}
	if key, err = loadKeyFile(file); err != nil {
		return nil, ip, 0, 0, err
	}
	if ip, err = netip.ParseAddr(cmd.String("ip")); err != nil {
		return nil, ip, 0, 0, flagError("ip", cmd.String("ip"), "not an IP address")
	}
	tcp, udp = int(cmd.Int("tcp")), int(cmd.Int("udp"))
	for _, p := range []struct {
		name string
		port int
	}{{"tcp", tcp}, {"udp", udp}} {
		if p.port < 0 || p.port > 65535 {
			return nil, ip, 0, 0, flagError(p.name, p.port, "want a port 0-65535")
		}
	}
	return key, ip.Unmap(), tcp, udp, nil
}

func keyToEnode(_ context.Context, cmd *cli.Command) error {
	key, ip, tcp, udp, err := keyAddress(cmd)
	if err != nil {
		return err
	}
	fmt.Println(enode.NewV4(&key.PublicKey, net.IP(ip.AsSlice()), tcp, udp).URLv4())
	return nil
}

func keyToENR(_ context.Context, cmd *cli.Command) error {
	key, ip, tcp, udp, err := keyAddress(cmd)
	if err != nil {
		return err
	}
	var rec enr.Record
	rec.SetSeq(cmd.Uint64("seq"))
	if ip.Is4() {
		rec.Set(enr.IPv4(ip))
	} else {
		rec.Set(enr.IPv6(ip))
	}
	// EIP-778: tcp and udp serve both address families unless tcp6/udp6
	// say otherwise; a port of 0 means the node has no such endpoint.
	if tcp != 0 {
		rec.Set(enr.TCP(tcp))
	}
	if udp != 0 {
		rec.Set(enr.UDP(udp))
	}
	if err := enode.SignV4(&rec, key); err != nil {
		return err
	}
	text, err := rec.Text()
	if err != nil {
		return err
	}
	fmt.Println(text)
	return nil
}

func keyToID(_ context.Context, cmd *cli.Command) error {
	file, err := oneArg(cmd, "FILE")
	if err != nil {
		return err
	}
	key, err := loadKeyFile(file)
	if err != nil {
		return err
	}
	fmt.Println(enode.PubkeyToIDV4(&key.PublicKey))
	return nil
}

// oneArg returns the command's single positional argument.
func oneArg(cmd *cli.Command, name string) (string, error) {
	switch cmd.NArg() {
	case 1:
		return cmd.Args().First(), nil
	case 0:
		return "", usageErrorf(cmd, "missing argument %s", name)
	default:
		return "", usageErrorf(cmd, "want one argument %s, got %d", name, cmd.NArg())
	}
}
