/**
 * The idle-connection memory footprint ({@code junction-bench idle-footprint}): N idle connections held open
 * straight to an in-process backend and then through an in-process Junction TCP listener, all in one JVM, with heap
 * and direct memory read after forced GCs before and after each run. The proxy's cost per connection is the
 * difference of the two runs' per-connection deltas, so the client and backend sockets (present in both) cancel out.
 */
package io.junction.bench.footprint;
