/**
 * UDP forwarding with a per-client session table, in the way kube-proxy's userspace proxier and nginx {@code stream}
 * do it.
 *
 * <p>One listening datagram socket per worker event loop (bound with {@code SO_REUSEPORT} on epoll, a single socket
 * with NIO). Each socket owns a {@link io.junction.core.forward.udp.UdpSessionTable} that maps a client's
 * {@code ip:port} to a {@link io.junction.core.forward.udp.UdpSession}: the backend chosen by the service's picker and
 * a datagram channel connected to it on the same event loop. Replies read from that channel go back to the client
 * through the listening socket, so they come from the service's address. Everything of one socket lives on one event
 * loop, so the table needs no lock; only the per-service session cap is shared, as an atomic counter.
 */
package io.junction.core.forward.udp;
