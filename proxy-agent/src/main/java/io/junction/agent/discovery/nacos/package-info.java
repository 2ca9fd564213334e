/**
 * The {@code discovery.nacos} source: instances of the services a config names, read from a Nacos registry over its
 * naming open API (v3, v2 or v1, whichever the server answers), polled with a bounded interval.
 */
package io.junction.agent.discovery.nacos;
