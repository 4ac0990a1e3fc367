package nattest

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
)

// UPnP service types the fake can offer.
const (
	WANIPConnection1  = "urn:schemas-upnp-org:service:WANIPConnection:1"
	WANIPConnection2  = "urn:schemas-upnp-org:service:WANIPConnection:2"
	WANPPPConnection1 = "urn:schemas-upnp-org:service:WANPPPConnection:1"
)

// UPnP error codes the fake sends (WANIPConnection:2 spec, 2.4.16).
const (
	ErrConflictInMappingEntry       = 718
	ErrOnlyPermanentLeasesSupported = 725
)

// IGD is a fake UPnP Internet Gateway Device: an HTTP server on 127.0.0.1
// serving the root device description at RootURL and answering SOAP control
// requests for one WAN connection service.
type IGD struct {
	srv     *httptest.Server
	version int    // 1 or 2 (InternetGatewayDevice:N)
	service string // service type

	// Requests receives one line per SOAP call ("AddPortMapping TCP
	// 30303->30303 1200s"). Buffered; overflow is dropped.
	Requests chan string

	mu            sync.Mutex
	extIP         string
	mappings      map[string]string // "TCP/30303" (external) -> internal client:port
	taken         map[string]bool   // "TCP/30303": held by another host (718)
	anyPort       uint16            // what AddAnyPortMapping grants when the port is taken
	down          bool              // drop every control connection
	onlyPermanent bool
}

// StartIGD starts a fake gateway of the given IGD version (1 or 2) offering
// service (one of the WAN*Connection constants) and reporting extIP.
func StartIGD(version int, service, extIP string) *IGD {
	g := &IGD{
		version:  version,
		service:  service,
		Requests: make(chan string, 100),
		extIP:    extIP,
		mappings: make(map[string]string),
		taken:    make(map[string]bool),
		anyPort:  40000,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /rootDesc.xml", g.serveDesc)
	mux.HandleFunc("POST /ctl", g.serveControl)
	g.srv = httptest.NewServer(mux) // binds 127.0.0.1:0
	return g
}

// RootURL is the root device description's URL (an SSDP LOCATION).
func (g *IGD) RootURL() string { return g.srv.URL + "/rootDesc.xml" }

// Close stops the server.
func (g *IGD) Close() { g.srv.Close() }

// Take marks proto/port as held by another host: AddPortMapping for it fails
// with ConflictInMappingEntry.
func (g *IGD) Take(proto string, port uint16) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.taken[mapKey(proto, port)] = true
}

// SetAnyPort sets the port AddAnyPortMapping grants for a taken port.
func (g *IGD) SetAnyPort(p uint16) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.anyPort = p
}

// SetDown makes the gateway stop answering control requests (connections
// are closed without a response) or answer again.
func (g *IGD) SetDown(down bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.down = down
}

// SetOnlyPermanentLeases makes AddPortMapping refuse non-zero leases (725),
// as many IGDv1 routers do.
func (g *IGD) SetOnlyPermanentLeases(on bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.onlyPermanent = on
}

// Mapped reports whether proto/extport is mapped.
func (g *IGD) Mapped(proto string, extport uint16) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, ok := g.mappings[mapKey(proto, extport)]
	return ok
}

// Mappings returns how many mappings exist.
func (g *IGD) Mappings() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.mappings)
}

func mapKey(proto string, port uint16) string {
	return strings.ToUpper(proto) + "/" + strconv.Itoa(int(port))
}

func (g *IGD) note(s string) {
	select {
	case g.Requests <- s:
	default:
	}
}

func (g *IGD) serveDesc(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", `text/xml; charset="utf-8"`)
	fmt.Fprintf(w, `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
  <specVersion><major>1</major><minor>0</minor></specVersion>
  <device>
    <deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:%[1]d</deviceType>
    <friendlyName>fake IGDv%[1]d</friendlyName>
    <UDN>uuid:fake-igd-%[1]d</UDN>
    <deviceList>
      <device>
        <deviceType>urn:schemas-upnp-org:device:WANDevice:%[1]d</deviceType>
        <UDN>uuid:fake-wan-%[1]d</UDN>
        <deviceList>
          <device>
            <deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:%[1]d</deviceType>
            <UDN>uuid:fake-wanconn-%[1]d</UDN>
            <serviceList>
              <service>
                <serviceType>%[2]s</serviceType>
                <serviceId>urn:upnp-org:serviceId:WANConnection</serviceId>
                <SCPDURL>/scpd.xml</SCPDURL>
                <controlURL>/ctl</controlURL>
                <eventSubURL>/evt</eventSubURL>
              </service>
            </serviceList>
          </device>
        </deviceList>
      </device>
    </deviceList>
  </device>
</root>`, g.version, g.service)
}

// soapArgs reads the action's arguments: the leaf elements of the body.
func soapArgs(r io.Reader) (map[string]string, error) {
	args := make(map[string]string)
	dec := xml.NewDecoder(io.LimitReader(r, 64<<10))
	var name string
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return args, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name = t.Name.Local
			text.Reset()
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if name == t.Name.Local {
				args[name] = text.String()
			}
			name = ""
		}
	}
}

func (g *IGD) serveControl(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	down := g.down
	g.mu.Unlock()
	if down {
		g.note("dropped")
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	ns, action, _ := strings.Cut(strings.Trim(r.Header.Get("SOAPACTION"), `"`), "#")
	if ns != g.service {
		g.fault(w, 401, "Invalid Action")
		return
	}
	args, err := soapArgs(r.Body)
	if err != nil {
		g.fault(w, 402, "Invalid Args")
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	switch action {
	case "GetNATRSIPStatus":
		g.note("GetNATRSIPStatus")
		g.reply(w, action, "<NewRSIPAvailable>0</NewRSIPAvailable><NewNATEnabled>1</NewNATEnabled>")
	case "GetExternalIPAddress":
		g.note("GetExternalIPAddress")
		g.reply(w, action, "<NewExternalIPAddress>"+g.extIP+"</NewExternalIPAddress>")
	case "AddPortMapping", "AddAnyPortMapping":
		proto, ext, intport := args["NewProtocol"], args["NewExternalPort"], args["NewInternalPort"]
		lease := args["NewLeaseDuration"]
		g.note(fmt.Sprintf("%s %s %s->%s %ss", action, proto, ext, intport, lease))
		p, err := strconv.ParseUint(ext, 10, 16)
		if err != nil || (proto != "TCP" && proto != "UDP") {
			g.fault(w, 402, "Invalid Args")
			return
		}
		if g.onlyPermanent && lease != "0" {
			g.fault(w, ErrOnlyPermanentLeasesSupported, "OnlyPermanentLeasesSupported")
			return
		}
		key := mapKey(proto, uint16(p))
		if g.taken[key] {
			if action == "AddPortMapping" || g.version < 2 {
				g.fault(w, ErrConflictInMappingEntry, "ConflictInMappingEntry")
				return
			}
			p = uint64(g.anyPort)
			key = mapKey(proto, uint16(p))
		}
		g.mappings[key] = args["NewInternalClient"] + ":" + intport
		if action == "AddAnyPortMapping" {
			g.reply(w, action, fmt.Sprintf("<NewReservedPort>%d</NewReservedPort>", p))
		} else {
			g.reply(w, action, "")
		}
	case "DeletePortMapping":
		proto, ext := args["NewProtocol"], args["NewExternalPort"]
		g.note(fmt.Sprintf("DeletePortMapping %s %s", proto, ext))
		p, _ := strconv.ParseUint(ext, 10, 16)
		key := mapKey(proto, uint16(p))
		if _, ok := g.mappings[key]; !ok {
			g.fault(w, 714, "NoSuchEntryInArray")
			return
		}
		delete(g.mappings, key)
		g.reply(w, action, "")
	default:
		g.fault(w, 401, "Invalid Action")
	}
}

const (
	soapHead = `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>`
	soapTail = `</s:Body></s:Envelope>`
)

func (g *IGD) reply(w http.ResponseWriter, action, body string) {
	w.Header().Set("Content-Type", `text/xml; charset="utf-8"`)
	fmt.Fprintf(w, `%s<u:%sResponse xmlns:u="%s">%s</u:%sResponse>%s`, soapHead, action, g.service, body, action, soapTail)
}

func (g *IGD) fault(w http.ResponseWriter, code int, desc string) {
	w.Header().Set("Content-Type", `text/xml; charset="utf-8"`)
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, `%s<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>%d</errorCode><errorDescription>%s</errorDescription></UPnPError></detail></s:Fault>%s`, soapHead, code, desc, soapTail)
}

// SetExternalIP changes the address the gateway reports (a new DHCP lease
// from the ISP).
func (g *IGD) SetExternalIP(ip string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.extIP = ip
}
