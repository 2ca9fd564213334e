/**
 * The {@code discovery.eureka} source: a client of a Netflix Eureka registry over its REST API (JSON), reading the
 * registry as Eureka's own {@code DiscoveryClient} does: one full fetch, then deltas checked against the server's
 * reconciliation hash. {@link io.junction.agent.discovery.eureka.EurekaDocument} reads the JSON,
 * {@link io.junction.agent.discovery.eureka.EurekaRegistry} keeps the local copy,
 * {@link io.junction.agent.discovery.eureka.EurekaTranslator} turns it into services, and
 * {@link io.junction.agent.discovery.eureka.EurekaSource} runs the fetch loop on its one thread.
 */
package io.junction.agent.discovery.eureka;
