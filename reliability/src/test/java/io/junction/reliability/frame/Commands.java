package io.junction.reliability.frame;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assumptions.assumeThat;

/** Runs short host commands (ip, nft) and reports their exit code and output. */
public final class Commands {
    private Commands() {
    }

    /** Exit code and combined output of one command. */
    public record Result(int code, String out) {
    }

    /** Runs {@code cmd}; its exit code and output (code -1 when it ran over 15 s and was killed). */
    public static Result run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Runs {@code cmd}; its output, or an exception naming the command and its output when it fails. */
    public static String check(String... cmd) throws IOException, InterruptedException {
        Result r = run(List.of(cmd));
        if (r.code() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited " + r.code() + ": " + r.out());
        }
        return r.out();
    }

    /** Skips the calling test with the reason unless it runs as root with iproute2 and nftables (CI does). */
    public static void assumeRootWithNetworkTools() throws IOException, InterruptedException {
        assumeThat(run(List.of("id", "-u")).out().strip())
                .as("needs root for network namespaces and nftables; skipped").isEqualTo("0");
        assumeThat(run(List.of("sh", "-c", "command -v ip && command -v nft")).code())
                .as("needs iproute2 and nftables installed; skipped").isZero();
    }
}
