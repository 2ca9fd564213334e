/**
 * TCP forwarding: the listener factory, the per-connection client and backend handlers, connect retries, and the
 * drain helpers the control thread uses when a backend goes away. Both legs of a proxied connection live on the
 * client channel's event loop, so per-connection state needs no synchronization.
 */
package io.junction.core.forward.tcp;
