package io.junction.bench.targets;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How to run one kind of proxy: prerequisites, config text and command line. Implementations are immutable and
 * their config rendering is a pure function of {@link ProxyParams}, so it can be unit-tested.
 */
public interface ProxyFlavor {
    String name();

    /**
     * Checks that the proxy can run here for this context.
     *
     * @throws TargetUnavailableException with a message saying what is missing and how to get it
     */
    void check(TargetContext context) throws TargetUnavailableException;

    String configFileName();

    String renderConfig(ProxyParams params);

    List<String> command(Path configFile, ProxyParams params);

    /** Upper bound on launch-to-listening time before the target is given up. */
    Duration startTimeout();
}
