/**
 * The {@code discovery.zookeeper} source: a client of the user's ZooKeeper that reads the Apache Curator
 * service-discovery layout ({@code {basePath}/{service}/{instanceId}} holding a {@code ServiceInstance} JSON) through
 * Curator's caches and delivers each registry service as an endpoint-only definition.
 */
package io.junction.agent.discovery.zookeeper;
