package io.junction.agent.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;

import java.time.Clock;
import java.util.Objects;

/**
 * What the agent shares with the discovery sources it creates: a source that serves HTTP or runs health probes does
 * it on the agent's worker loops (non-blocking work only), registers its meters where {@code /metrics} reads them,
 * tells time by one clock that tests can replace, and can see which services the config file names (a registry's
 * instances join the config's service of the same name).
 *
 * @param workers    the agent's worker event loops; owned by the agent, never shut down by a source
 * @param metrics    the agent's meter registry
 * @param clock      wall-clock time
 * @param configured the service keys of the config file's last good load
 */
public record SourceContext(EventLoopGroup workers, MeterRegistry metrics, Clock clock,
                            ConfiguredServices configured) {
    public SourceContext {
        Objects.requireNonNull(workers, "workers");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(configured, "configured");
    }

    /** A context whose config names no services. */
    public SourceContext(EventLoopGroup workers, MeterRegistry metrics, Clock clock) {
        this(workers, metrics, clock, new ConfiguredServices());
    }
}
