package io.junction.bench.run;

import io.junction.bench.targets.Binaries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Pins this JVM (every current thread; threads created later inherit the mask) to one CPU with
 * {@code taskset -a -p}. Thread-safe (stateless).
 */
public final class Pinning {
    private static final Logger log = LoggerFactory.getLogger(Pinning.class);

    /** CPU the proxies run on with --pin. */
    public static final int PROXY_CPU = 0;
    /** CPU the load generator and in-process backends run on with --pin. */
    public static final int GENERATOR_CPU = 1;

    private Pinning() {
    }

    /** @return whether pinning is possible here (two CPUs or more and taskset installed) */
    public static boolean available() {
        return Runtime.getRuntime().availableProcessors() >= 2 && Binaries.find("taskset").isPresent();
    }

    /** Pins the current JVM to {@link #GENERATOR_CPU}. */
    public static void pinSelf() throws RunFailedException {
        long pid = ProcessHandle.current().pid();
        try {
            Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", Integer.toString(GENERATOR_CPU),
                    Long.toString(pid)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new RunFailedException("--pin: `taskset -a -p -c " + GENERATOR_CPU + " " + pid + "` failed");
            }
            log.info("pinned generator pid={} cpu={}", pid, GENERATOR_CPU);
        } catch (IOException e) {
            throw new RunFailedException("--pin: taskset could not run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunFailedException("--pin: interrupted", e);
        }
    }
}
