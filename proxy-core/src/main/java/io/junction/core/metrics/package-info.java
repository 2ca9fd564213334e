/** Data-path counters, read by Micrometer at scrape time. */
package io.junction.core.metrics;
