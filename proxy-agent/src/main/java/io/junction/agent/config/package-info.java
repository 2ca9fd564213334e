/**
 * The agent's YAML config: {@link io.junction.agent.config.ConfigLoader} reads a file into a validated, immutable
 * {@link io.junction.agent.config.AgentConfig}, or throws one {@link io.junction.agent.config.ConfigException} that
 * lists every problem with its file, line and field path. The same loader serves start-up, hot reload and
 * {@code junction validate}.
 */
package io.junction.agent.config;
