package io.junction.agent.discovery.kubernetes;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** The heap a benchmark's state keeps: heap in use right after a full collection. */
final class HeapUse {
    private HeapUse() {
    }

    /** Collects, then prints the live heap with {@code what} on stdout (JMH shows a fork's stdout). */
    static void print(String what) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        // Twice: the first collection may leave objects whose finalization or reference processing frees more.
        memory.gc();
        memory.gc();
        long used = memory.getHeapMemoryUsage().getUsed();
        System.out.printf("%n# heap after setup: %.1f MiB live (%s)%n", used / (1024.0 * 1024.0), what);
    }
}
