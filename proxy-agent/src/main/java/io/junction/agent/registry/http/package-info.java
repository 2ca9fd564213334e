/**
 * The registry's HTTP server on Netty's codec: per-client rate limits and body limits applied before a body is read,
 * then the API.
 */
package io.junction.agent.registry.http;
