package io.junction.core.lb;

import io.junction.core.model.LbPolicy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.junction.core.lb.LbFixtures.backends;
import static io.junction.core.lb.LbFixtures.client;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hit path of every picker allocates nothing, with and without health in play, measured with the JVM's
 * per-thread allocation counter.
 */
class PickerAllocationTest {
    private static final int PICKS = 1_000_000;
    private static final int CLIENTS = 64;
    private static final int CAP = 1_000;

    /** Keeps the control picker's garbage reachable so escape analysis cannot remove it. */
    static volatile Object escape;

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void hitPathAllocatesNothing(LbPolicy policy) {
        Picker picker = LbFixtures.picker(policy, backends(16));
        assertNothingAllocated(allocatedBytes(picker, newConnections()));
    }

    /** Passive health attached and a connection cap set but not reached: admission is asked on every pick. */
    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void hitPathWithHealthInPlayAllocatesNothing(LbPolicy policy) {
        List<Backend> list = healthy(16);
        assertNothingAllocated(allocatedBytes(LbFixtures.picker(policy, list), newConnections()));
    }

    /** A full backend, one ramping up, and retries: the paths off the first choice allocate nothing either. */
    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void overflowSlowStartAndRetriesAllocateNothing(LbPolicy policy) {
        List<Backend> list = healthy(16);
        list.get(3).activeConnections(CAP);
        list.get(5).beginSlowStart(TimeUnit.HOURS.toNanos(1));
        Picker picker = LbFixtures.picker(policy, list);
        PickContext[] contexts = newConnections();
        // Client-ip re-pins a client whose backend failed, which allocates its new pin by design: no retries there.
        for (int c = 0; c < CLIENTS && policy != LbPolicy.CLIENT_IP; c += 4) {
            // A quarter of the connections are retries after one or two failed connects.
            contexts[c].markTried(list.get(c % 16));
            if (c % 8 == 0) {
                contexts[c].markTried(list.get((c + 1) % 16));
            }
        }
        assertNothingAllocated(allocatedBytes(picker, contexts));
    }

    private static List<Backend> healthy(int n) {
        List<Backend> list = backends(n);
        for (Backend b : list) {
            b.outcomes(FakeOutcomes.admitting());
            b.maxConnections(CAP);
            b.onConnectSuccess(TimeUnit.MICROSECONDS.toNanos(200));
        }
        return list;
    }

    private static void assertNothingAllocated(long allocated) {
        // A single 16-byte object per pick would be 16 MB; allow a little noise from the counter itself.
        assertThat(allocated).as("bytes allocated over %d picks", PICKS).isLessThan(16 * 1024);
    }

    private static PickContext[] newConnections() {
        PickContext[] contexts = new PickContext[CLIENTS];
        for (int c = 0; c < CLIENTS; c++) {
            contexts[c] = new PickContext(client(c));
        }
        return contexts;
    }

    @Test
    void measurementSeesAnAllocatingPicker() {
        Backend only = backends(1).get(0);
        Picker allocating = context -> {
            escape = new long[1];
            return only;
        };
        assertThat(allocatedBytes(allocating, newConnections())).isGreaterThan(PICKS * 16L);
    }

    private static long allocatedBytes(Picker picker, PickContext[] contexts) {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counter disabled");
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
