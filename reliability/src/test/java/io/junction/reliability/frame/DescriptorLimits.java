package io.junction.reliability.frame;

import com.sun.management.UnixOperatingSystemMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.List;

import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The descriptor limit of this test JVM, raised when a scenario holds more sockets than it allows. Processes the
 * suite starts (agents, clients in namespaces) inherit it, so one raise here covers the agent too: it derives its
 * connection cap from the limit it starts with.
 */
public final class DescriptorLimits {
    private DescriptorLimits() {
    }

    /** This JVM's soft {@code RLIMIT_NOFILE} now. */
    public static long current() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return Long.MAX_VALUE;
    }

    /**
     * Makes this JVM's soft and hard limit at least {@code needed} ({@link #raiseTowards}); skips the calling test with
     * the reason when it cannot. Returns the limit in force.
     */
    public static long atLeast(long needed) throws IOException, InterruptedException {
        String said = raiseTowards(needed);
        assumeThat(current()).as("needs a descriptor limit of " + needed + " (have " + current() + "; " + said
                + "); skipped").isGreaterThanOrEqualTo(needed);
        return current();
    }

    /**
     * Tries to raise this JVM's soft and hard limit to {@code wanted} with {@code prlimit --pid} (which needs
     * CAP_SYS_RESOURCE, or a hard limit that high already); the caller reads {@link #current()} for what it got.
     * Returns what prlimit said, for the report, or "" when no raise was needed.
     */
    public static String raiseTowards(long wanted) throws IOException, InterruptedException {
        if (current() >= wanted) {
            return "";
        }
        try {
            Commands.Result r = Commands.run(List.of("prlimit", "--pid", Long.toString(ProcessHandle.current().pid()),
                    "--nofile=" + wanted + ":" + wanted));
            return "prlimit --nofile=" + wanted + ": " + (r.code() == 0 ? "done" : r.out().strip());
        } catch (IOException notInstalled) {
            return "prlimit: " + notInstalled.getMessage();
        }
    }
}
