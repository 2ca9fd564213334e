package io.junction.bench.cli;

import io.junction.bench.load.LoadSpec;
import io.junction.bench.load.Mode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code all}: every mode with its default load shape, one report. Main thread only.
 */
@Command(name = "all", mixinStandardHelpOptions = true,
        description = "Every mode (tcp-stream, tcp-rr, tcp-crr, tcp-bcf, udp-stream, udp-rr) with default shapes, one"
                + " report.")
final class AllCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        List<LoadSpec> specs = new ArrayList<>();
        try {
            for (Mode m : Mode.values()) {
                specs.add(ModeDefaults.spec(m, common));
            }
        } catch (IllegalArgumentException e) {
            System.err.println("junction-bench: " + e.getMessage());
            return Invocation.EXIT_USAGE;
        }
        return Invocation.run(common, specs);
    }
}
