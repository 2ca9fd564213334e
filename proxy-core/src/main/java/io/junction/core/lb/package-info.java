/**
 * Load balancing: {@link io.junction.core.lb.Backend} (the live side of an endpoint: load, admission, slow start,
 * connect latency), the {@link io.junction.core.lb.Picker} contract and the policies that implement it:
 * <ul>
 *   <li>{@code round-robin}: a shared cursor over the endpoints; retries do not move it.</li>
 *   <li>{@code random}: a uniform random endpoint.</li>
 *   <li>{@code least-connections}: power of two random choices over live connections plus connects in progress.</li>
 *   <li>{@code weighted}: nginx's smooth weighted round robin over endpoint weights.</li>
 *   <li>{@code client-ip}: client-IP affinity with an idle timeout, new clients placed by round robin.</li>
 *   <li>{@code maglev}: Maglev consistent hashing of the client IP (65,537-slot table keyed by endpoint address):
 *       no per-client state, the same mapping on every proxy, and only the clients of an endpoint that leaves
 *       move.</li>
 *   <li>{@code peak-ewma}: power of two random choices by cost, a peak-sensitive moving average of connect latency
 *       times (load + 1), as in Finagle and Linkerd: slow endpoints get fewer connections within one connect.</li>
 * </ul>
 * Every policy skips an endpoint that refuses admission (at its connection cap, or recovering with its test permits
 * taken) and returns null when none admits. Slow start ramps an endpoint's share of new connections up from a tenth
 * of its share; the affinity policies never move a client off a ramping endpoint.
 */
package io.junction.core.lb;
