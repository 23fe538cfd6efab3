// Package server is the one way the reference backend's listeners start
// and stop: the gateway, the edges, the origin and the internal and admin
// listeners are each a [Server], with read, write and idle deadlines,
// a header size limit and an optional cap on connections per client
// address. A Server can be killed (listener and connections closed at
// once, as a fault does) and started again on the same address.
package server
