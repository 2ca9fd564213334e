package io.junction.bench;

import io.junction.bench.cli.BenchCommand;
import picocli.CommandLine;

import java.util.Arrays;

/**
 * Dispatches {@code junction-bench jmh [JMH args]} to {@code org.openjdk.jmh.Main} and every other sub-command to
 * the load harness. Runs on the main thread only.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            if (BenchMain.class.getResource("/META-INF/BenchmarkList") == null) {
                System.err.println("junction-bench jmh: no JMH benchmarks in this jar (META-INF/BenchmarkList is"
                        + " missing); rebuild with `mvn -B -q -pl benchmarks -am package -DskipTests`");
                System.exit(1);
            }
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        // Charts are drawn off-screen; must be set before any AWT class loads.
        System.setProperty("java.awt.headless", "true");
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "bench-logback.xml");
        }
        int code = new CommandLine(new BenchCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        System.exit(code);
    }
}
