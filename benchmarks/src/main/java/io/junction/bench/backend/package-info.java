/**
 * Built-in load-test backends (sink, stream, echo, tiny HTTP responder, answer-then-close in raw and HTTP form, UDP
 * echo) on Netty, started in-process by a harness run or standalone with {@code junction-bench backend KIND --port N}.
 * They never allocate per message beyond Netty's pooled buffers, so on a 2-core machine the backend costs as little
 * CPU as possible.
 */
package io.junction.bench.backend;
