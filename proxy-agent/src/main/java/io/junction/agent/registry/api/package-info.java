/**
 * Consul's agent API over the registry store, free of Netty: routes and JSON shapes
 * ({@link io.junction.agent.registry.api.RegistryApi}), field-by-field validation of registrations
 * ({@link io.junction.agent.registry.api.RegistrationReader}), the address policy and blocking queries.
 */
package io.junction.agent.registry.api;
