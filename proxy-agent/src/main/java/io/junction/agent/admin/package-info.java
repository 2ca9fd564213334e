/** The read-only admin HTTP API: health, readiness, metrics, status JSON and page. */
package io.junction.agent.admin;
