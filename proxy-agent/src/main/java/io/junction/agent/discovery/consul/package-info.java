/**
 * The Consul catalog source: {@link io.junction.agent.discovery.consul.ConsulSource} watches a registry that speaks
 * Consul's HTTP API (a Consul server or agent, or another Junction's registry) with blocking queries, and delivers each
 * registry service's passing instances as the endpoints of the Junction service of the same name.
 */
package io.junction.agent.discovery.consul;
