package io.junction.bench.cli;

import picocli.CommandLine.IVersionProvider;

/**
 * Version from the jar manifest. Thread-safe (stateless).
 */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = VersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {"junction-bench " + (v == null ? "dev" : v)};
    }
}
