package io.junction.bench.targets;

import java.net.InetSocketAddress;
import java.util.OptionalLong;

/**
 * Straight to the backend: the ceiling every proxy is compared with. Immutable.
 */
public final class DirectTarget implements Target {
    public static final String NAME = "direct";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public InetSocketAddress start(TargetContext context) {
        return context.backend();
    }

    @Override
    public OptionalLong pid() {
        return OptionalLong.empty();
    }

    @Override
    public long launchMillis() {
        return -1;
    }

    @Override
    public void close() {
        // Nothing was started.
    }
}
