package main

import (
	"context"
	"fmt"
	"net"
	"os"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
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
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "ip", Value: "127.0.0.1", Usage: "IP address in the URL"},
				&cli.IntFlag{Name: "tcp", Value: 30303, Usage: "TCP (RLPx) port"},
				&cli.IntFlag{Name: "udp", Value: 30303, Usage: "UDP (discovery) port"},
			},
			Action: keyToEnode,
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
		return fmt.Errorf("write key: %w", err)
	}
	fmt.Println(enode.PubkeyToIDV4(&key.PublicKey))
	return nil
}

func keyToEnode(_ context.Context, cmd *cli.Command) error {
	file, err := oneArg(cmd, "FILE")
	if err != nil {
		return err
	}
	key, err := crypto.LoadECDSA(file)
	if err != nil {
		return fmt.Errorf("load key: %w", err)
	}
	ip := net.ParseIP(cmd.String("ip"))
	if ip == nil {
		return usageErrorf(cmd, "invalid --ip %q", cmd.String("ip"))
	}
	tcp, udp := cmd.Int("tcp"), cmd.Int("udp")
	if err := checkPort("tcp", tcp); err != nil {
		return usageErrorf(cmd, "%v", err)
	}
	if err := checkPort("udp", udp); err != nil {
		return usageErrorf(cmd, "%v", err)
	}
	fmt.Println(enode.NewV4(&key.PublicKey, ip, tcp, udp).URLv4())
	return nil
}

func keyToID(_ context.Context, cmd *cli.Command) error {
	file, err := oneArg(cmd, "FILE")
	if err != nil {
		return err
	}
	key, err := crypto.LoadECDSA(file)
	if err != nil {
		return fmt.Errorf("load key: %w", err)
	}
	fmt.Println(enode.PubkeyToIDV4(&key.PublicKey))
	return nil
}

func checkPort(name string, p int) error {
	if p < 0 || p > 65535 {
		return fmt.Errorf("invalid --%s port %d (0-65535)", name, p)
	}
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
