/**
 * The run controller: starts the backend and the targets, runs every target interleaved for several rounds
 * (A B C A B C …), samples the proxies' CPU and memory around each measurement window and hands the results to
 * the report package. Also CPU pinning of the generator JVM with taskset.
 */
package io.junction.bench.run;
