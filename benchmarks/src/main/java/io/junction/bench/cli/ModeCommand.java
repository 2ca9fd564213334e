package io.junction.bench.cli;

import io.junction.bench.load.LoadSpec;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * Base of the per-mode sub-commands: common options plus a {@link LoadSpec} built from the mode's own options.
 * Main thread only.
 */
abstract class ModeCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    abstract LoadSpec spec();

    /** Whether the run measures freshly launched proxies ({@code --from-start}); only some modes offer it. */
    boolean fromStart() {
        return false;
    }

    @Override
    public Integer call() {
        LoadSpec spec;
        try {
            spec = spec();
        } catch (IllegalArgumentException e) {
            System.err.println("junction-bench: " + e.getMessage());
            return Invocation.EXIT_USAGE;
        }
        return Invocation.run(common, List.of(spec), fromStart());
    }
}
