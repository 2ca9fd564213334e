/**
 * Immutable value types of the proxy's domain: service keys, endpoints, service specs and their settings.
 * Everything here is safe to share between threads.
 */
package io.junction.core.model;
