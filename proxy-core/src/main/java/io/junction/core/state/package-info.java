/**
 * Control-plane state: per-source change tracking, the merged view of all discovery sources, and the immutable
 * snapshots it publishes to the data path.
 */
package io.junction.core.state;
