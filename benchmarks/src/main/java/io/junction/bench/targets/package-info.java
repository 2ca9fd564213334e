/**
 * What the load is sent to: the backend itself ({@code direct}), Junction, HAProxy and nginx started as child
 * processes with generated configs on loopback ports, or any external {@code host:port}. Also the child-process
 * bookkeeping (always ended by PID, also from a shutdown hook) and {@code /proc} sampling of CPU time and RSS.
 */
package io.junction.bench.targets;
