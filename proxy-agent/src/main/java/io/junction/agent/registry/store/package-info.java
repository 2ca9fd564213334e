/**
 * The registry's state: instances and checks with Consul's indexes ({@link io.junction.agent.registry.store.RegistryStore}),
 * and what keeps checks live ({@link io.junction.agent.registry.store.CheckRunner}: TTL expiry, TCP and HTTP probes,
 * deregistration of critical services). Confined to the registry's event loop.
 */
package io.junction.agent.registry.store;
