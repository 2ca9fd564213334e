/**
 * The registry's state file: its format, a durable atomic write (temp file, fsync, rename, directory fsync) on a
 * background thread, and the load that moves a corrupt file aside.
 */
package io.junction.agent.registry.persist;
