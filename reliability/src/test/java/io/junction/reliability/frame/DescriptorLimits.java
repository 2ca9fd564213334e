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
     * Makes this JVM's soft and hard limit at least {@code needed} ({@code prlimit --pid}, which needs root or a hard
     * limit that high); skips the calling test with the reason when it cannot. Returns the limit in force.
     */
    public static long atLeast(long needed) throws IOException, InterruptedException {
        if (current() >= needed) {
            return current();
        }
        Commands.Result r;
        try {
            r = Commands.run(List.of("prlimit", "--pid", Long.toString(ProcessHandle.current().pid()),
                    "--nofile=" + needed + ":" + needed));
        } catch (IOException notInstalled) {
            r = new Commands.Result(-1, notInstalled.toString());
        }
        assumeThat(current()).as("needs a descriptor limit of " + needed + " (have " + current()
                + "; prlimit said: " + r.out().strip() + "); skipped").isGreaterThanOrEqualTo(needed);
        return current();
    }
}
