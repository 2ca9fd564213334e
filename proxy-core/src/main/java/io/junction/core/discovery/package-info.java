/**
 * The discovery SPI: sources push full or per-service updates of services and endpoints to a listener.
 */
package io.junction.core.discovery;
