/**
 * The picocli command line of the load harness: one sub-command per mode, {@code all}, and {@code backend} to run a
 * built-in backend standalone. Parsing and wiring only; the work happens in {@link io.junction.bench.run}.
 */
package io.junction.bench.cli;
