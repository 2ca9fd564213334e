/**
 * The file discovery source: {@link io.junction.agent.discovery.file.FileSource} serves the services of the agent's
 * YAML config and reloads them when the file changes (inotify-style watch, a content-hash poll as fallback, or an
 * explicit reload on SIGHUP), never replacing a good config with a bad one.
 */
package io.junction.agent.discovery.file;
