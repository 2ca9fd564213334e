/** JMH: the forwarding step over a real loopback socket pair, direct vs through a Junction listener. */
package io.junction.bench.forward;
