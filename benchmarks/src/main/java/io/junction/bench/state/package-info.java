/** JMH: the cost of propagating one discovery change to a published snapshot, at 10,000 and 100,000 services. */
package io.junction.bench.state;
