/**
 * The local service registry ({@code discovery.registry}): workloads register themselves, report their health and
 * are found by name through a Consul-compatible agent API, and Junction routes to what they register.
 * {@link io.junction.agent.registry.RegistrySource} composes the sub-packages: {@code store} (instances, checks,
 * indexes and the check timers and probes), {@code api} (Consul's paths and JSON, validation, blocking queries),
 * {@code http} (the Netty server, rate limits, body limits) and {@code persist} (the state file).
 */
package io.junction.agent.registry;
