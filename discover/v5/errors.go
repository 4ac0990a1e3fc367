package v5

// ErrTimeout is the error of a request (Ping, RequestENR, Findnode) whose
// reply did not arrive within the response timeout (700 ms per packet). UDP
// loses packets, so a caller with time left may send the request again.
var ErrTimeout = errTimeout
