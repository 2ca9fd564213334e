package io.junction.core.lb;

import io.junction.core.model.LbPolicy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;

import static io.junction.core.lb.LbFixtures.backends;
import static io.junction.core.lb.LbFixtures.client;
import static org.assertj.core.api.Assertions.assertThat;

/** The hit path of every picker allocates nothing, measured with the JVM's per-thread allocation counter. */
class PickerAllocationTest {
    private static final int PICKS = 1_000_000;
    private static final int CLIENTS = 64;

    /** Keeps the control picker's garbage reachable so escape analysis cannot remove it. */
    static volatile Object escape;

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void hitPathAllocatesNothing(LbPolicy policy) {
        Picker picker = LbFixtures.picker(policy, backends(16));
        long allocated = allocatedBytes(picker);
        // A single 16-byte object per pick would be 16 MB; allow a little noise from the counter itself.
        assertThat(allocated).as("bytes allocated over %d picks", PICKS).isLessThan(16 * 1024);
    }

    @Test
    void measurementSeesAnAllocatingPicker() {
        Backend only = backends(1).get(0);
        Picker allocating = context -> {
            escape = new long[1];
            return only;
        };
        assertThat(allocatedBytes(allocating)).isGreaterThan(PICKS * 16L);
    }

    private static long allocatedBytes(Picker picker) {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counter disabled");
        PickContext[] contexts = new PickContext[CLIENTS];
        for (int c = 0; c < CLIENTS; c++) {
            contexts[c] = new PickContext(client(c));
        }
        // Warm-up: JIT-compiles the pick path and, for client-ip, pins every client (inserts allocate).
        long nulls = run(picker, contexts, 300_000);
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        nulls += run(picker, contexts, PICKS);
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(nulls).isZero();
        return allocated;
    }

    /** Picks with rotating clients; returns the number of null picks (expected 0). */
    private static long run(Picker picker, PickContext[] contexts, int picks) {
        long nulls = 0;
        for (int i = 0; i < picks; i++) {
            if (picker.pick(contexts[i & (CLIENTS - 1)]) == null) {
                nulls++;
            }
        }
        return nulls;
    }
}
