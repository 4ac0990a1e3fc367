// Package admin serves the admin API of a devp2p.Server over JSON-RPC 2.0
// (https://www.jsonrpc.org/specification): on HTTP (POST), WebSocket and a
// unix socket, in the shapes of go-ethereum's admin namespace, so that
// `geth attach`, web3 libraries and dashboards work with a devp2p node as
// they do with geth.
//
// Methods:
//
//	admin_nodeInfo                  the local node (go-ethereum's p2p.NodeInfo)
//	admin_peers                     the connected peers (p2p.PeerInfo)
//	admin_addPeer(url)              keep a connection to a node (enode:// or enr:)
//	admin_removePeer(url)           stop doing so, and disconnect it
//	admin_addTrustedPeer(url)       let a node connect beyond the peer limits
//	admin_removeTrustedPeer(url)
//	admin_subscribe("peerEvents")   peer add/drop (and message) events, as
//	                                admin_subscription notifications;
//	                                WebSocket and IPC only
//	admin_unsubscribe(id)
//	rpc_modules                     the namespaces served
//	devp2p_table                    the discovery tables: bucket, liveness, last contact
//	devp2p_dialStats                the dial scheduler's state
//	devp2p_verdicts                 recent admission verdicts on connections in setup
//
// Errors carry the JSON-RPC codes: -32700 for a message that is not JSON,
// -32600 for one that is not a request (also an empty or too long batch, or
// a message over the size limit), -32601 for an unknown method, -32602 for
// bad arguments such as an invalid enode URL.
//
// The API changes who the node talks to, so it is served to its owner only.
// The HTTP endpoint binds loopback unless Config.AllowRemote is set, which
// requires a bearer token (Config.Secret). Without a token, the Host header
// must be an IP address or localhost and the Origin of browser requests must
// match it, which defeats DNS rebinding from a web page. The unix socket is
// created with mode 0600.
//
// Every message, batch, connection and subscription is bounded (see
// Config). A WebSocket or IPC subscriber that does not keep up is
// disconnected once its send queue is full; the node never waits for it.
//
//	api, err := admin.New(srv, admin.Config{
//		HTTPAddr: "127.0.0.1:8545",
//		IPCPath:  filepath.Join(datadir, "devp2p.ipc"),
//	})
//	if err != nil { … }
//	defer api.Close()
//
// and then:
//
//	curl -s -H 'Content-Type: application/json' \
//	     -d '{"jsonrpc":"2.0","id":1,"method":"admin_peers"}' http://127.0.0.1:8545/
package admin
