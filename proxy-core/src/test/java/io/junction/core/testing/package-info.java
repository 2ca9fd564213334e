/**
 * Reusable test helpers (published in proxy-core's test-jar): loopback TCP backends and clients, stream hashing,
 * socket-state inspection and service handles built from backend addresses.
 */
package io.junction.core.testing;
