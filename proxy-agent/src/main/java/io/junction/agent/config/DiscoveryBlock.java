package io.junction.agent.config;

import io.junction.core.discovery.DiscoverySource;

/** A discovery source one {@code discovery:} block of the config asks for, validated; created when the agent starts. */
public interface DiscoveryBlock {
    /** The block's key under {@code discovery}. */
    String name();

    /** A new, unstarted source, given what the agent shares with its sources. */
    DiscoverySource create(SourceContext context);
}
