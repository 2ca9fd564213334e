/**
 * What the discovery sources share: {@link io.junction.agent.discovery.SourceMeters}, the per-source meters every
 * source exports under one set of names. Each source lives in its own subpackage.
 */
package io.junction.agent.discovery;
