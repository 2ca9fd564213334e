/**
 * The {@code startup} mode: wall time from launching the agent jar, with the shipped systemd unit's JVM options, to
 * its first accepted service connection and to {@code /readyz} answering 200, with and without an AppCDS archive.
 */
package io.junction.bench.startup;
