package io.junction.agent.node;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an nftables script. The production runner is {@code nft -f -} with the script on standard input; tests supply
 * a fake. Called only from the {@link NftProgrammer}'s thread; may block.
 */
@FunctionalInterface
public interface NftRunner {

    /** What one run gave: nft's exit code and its standard error (where it explains a refused script). */
    record Result(int exitCode, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code script}; a failure to run nft at all is an exit code of -1 with the reason as stderr. */
    Result run(String script);

    /**
     * {@code nft -f -}, killed after {@code timeoutSeconds}. Standard error goes to a temporary file, so a long
     * error list can neither fill a pipe nor hold the wait past the timeout.
     */
    static NftRunner command(String nft, long timeoutSeconds) {
        return script -> {
            Path err = null;
            Process p = null;
            try {
                err = Files.createTempFile("junction-nft", ".err");
                p = new ProcessBuilder(List.of(nft, "-f", "-"))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(err.toFile()).start();
                try (OutputStream in = p.getOutputStream()) {
                    in.write(script.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // nft exited early: its standard error says why.
                }
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Result(-1, nft + " did not finish within " + timeoutSeconds + " s");
                }
                return new Result(p.exitValue(), Files.readString(err, StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                return new Result(-1, "cannot run " + nft + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
                return new Result(-1, "interrupted while waiting for " + nft);
            } finally {
                if (err != null) {
                    try {
                        Files.deleteIfExists(err);
                    } catch (IOException e) {
                        // A leftover empty temp file is harmless.
                    }
                }
            }
        };
    }
}
