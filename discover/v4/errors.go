package v4

// ErrTimeout is the error of a request (Ping, RequestENR) whose reply did
// not arrive within the reply timeout (500 ms). UDP loses packets, so a
// caller with time left may send the request again.
var ErrTimeout = errTimeout
