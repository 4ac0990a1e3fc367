package main

import (
	"time"

	"github.com/devp2p-go/devp2p"
)

// The echo protocol gives the servers something to say: each side sends a
// ping with a payload at a steady pace and answers every ping it gets with a
// pong that echoes only the payload's length. Payload sizes differ per node,
// so a node's bytes in and out differ too.
const (
	echoPing   = 0 // payload: bytes to acknowledge
	echoPong   = 1 // payload: the number of bytes the ping carried
	echoLength = 2
)

func echoProtocol(payloadSize int, every time.Duration) devp2p.Protocol {
	payload := make([]byte, payloadSize)
	return devp2p.Protocol{
		Name: "echo", Version: 1, Length: echoLength,
		Run: func(_ *devp2p.Peer, rw devp2p.MsgReadWriter) error {
			stop := make(chan struct{})
			pinged := make(chan struct{})
			go func() {
				defer close(pinged)
				sendPings(rw, payload, every, stop)
			}()
			err := answerPings(rw)
			close(stop)
			<-pinged // a write fails at once when the session has ended
			return err
		},
	}
}

// sendPings sends a ping every interval until stop is closed or a write
// fails (the session ended).
func sendPings(rw devp2p.MsgWriter, payload []byte, every time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if devp2p.Send(rw, echoPing, payload) != nil {
				return
			}
		}
	}
}

// answerPings reads until the session ends, answering pings.
func answerPings(rw devp2p.MsgReadWriter) error {
	for {
		msg, err := rw.ReadMsg()
		if err != nil {
			return err
		}
		size := msg.Size
		if err := msg.Discard(); err != nil {
			return err
		}
		if msg.Code == echoPing {
			if err := devp2p.Send(rw, echoPong, size); err != nil {
				return err
			}
		}
	}
}
