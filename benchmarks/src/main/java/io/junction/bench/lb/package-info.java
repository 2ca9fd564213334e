/**
 * JMH benchmarks of the load-balancing pickers: cost of one pick per policy, endpoint count and thread count.
 */
package io.junction.bench.lb;
