/**
 * Load generators on Netty: TCP bulk streams, TCP request/response (closed loop and fixed rate with
 * coordinated-omission correction), TCP connect-request-response-close (client closes first, or the backend does),
 * UDP paced streams and UDP request/response.
 * A {@link io.junction.bench.load.LoadControl} owns the measurement window and the op budget so every loop stops by
 * itself, by time and by count; results land in a {@link io.junction.bench.load.Tally}.
 */
package io.junction.bench.load;
