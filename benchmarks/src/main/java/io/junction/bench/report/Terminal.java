package io.junction.bench.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a standard stream is a terminal, so that output can rewrite a line in place. Stateless. */
final class Terminal {
    private Terminal() {
    }

    /**
     * True if {@code out} is {@link System#out} or {@link System#err} and that stream is a terminal. Linux tells per
     * stream ({@code /proc/self/fd/N} links to {@code /dev/pts/*} or {@code /dev/tty*}): {@code 2> run.log} on a
     * terminal is no terminal. Elsewhere {@link System#console()} decides (stdin and stdout both terminals).
     */
    static boolean isTerminal(PrintStream out) {
        int fd = out == System.err ? 2 : out == System.out ? 1 : -1;
        if (fd < 0) {
            return false;
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }
}
