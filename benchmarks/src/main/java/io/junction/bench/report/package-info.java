/**
 * Turns raw round results into summaries (medians across rounds, ratios to {@code direct} and {@code haproxy}, CPU
 * per GB and per operation) and writes them out: a Markdown table, a JSON file, HdrHistogram {@code .hgrm}
 * percentile files and PNG charts (JFreeChart, headless). Also the carriage-return progress line.
 */
package io.junction.bench.report;
