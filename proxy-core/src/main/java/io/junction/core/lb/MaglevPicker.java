package io.junction.core.lb;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Maglev consistent hashing on the client IP ({@link MaglevTable}): a client's connections go to the backend owning
 * its slot, with no per-client state, and when endpoints come and go only the clients of the endpoints that changed
 * move. Unlike client-ip affinity, the mapping survives restarts and is the same on every proxy with the same
 * endpoints.
 *
 * <p>When the client's backend was tried by this connection or refuses {@linkplain Backend#admits() admission} (full,
 * or its test permits taken), the connection goes to the first backend that admits it in a scan starting at an index
 * taken from the client's hash: the same client overflows to the same place, and different clients to different
 * places. Slow start does not apply: a client whose slot belongs to a ramping backend keeps it, because the point of
 * the policy is that a client's backend depends on nothing but the endpoint set. A context without a client address
 * gets a scan from a random index.
 *
 * <p>The table is rebuilt only when the set of addresses changes; a rebuild over the same addresses (new attributes,
 * or new {@link Backend} objects) reuses the previous picker's table. Backends are kept in address order, which is
 * what the table's indices refer to.
 *
 * <p>Thread-safe, lock-free, allocation-free: the hit path is a hash, a multiply-shift and two array reads.
 */
final class MaglevPicker implements Picker {
    private static final Comparator<Backend> ADDRESS_ORDER = Comparator
            .comparing((Backend b) -> b.address().getAddress().getAddress(), Arrays::compareUnsigned)
            .thenComparingInt(b -> b.address().getPort());

    private final Backend[] backends;
    private final int[] slots;

    /** A picker over {@code backends} with a table of {@code size} slots (a prime), reusing {@code previous}'s. */
    MaglevPicker(List<Backend> backends, int size, Picker previous) {
        Backend[] sorted = backends.toArray(new Backend[0]);
        Arrays.sort(sorted, ADDRESS_ORDER);
        this.backends = sorted;
        InetSocketAddress[] addresses = new InetSocketAddress[sorted.length];
        for (int i = 0; i < sorted.length; i++) {
            addresses[i] = sorted[i].address();
        }
        if (sorted.length <= 1) {
            // Nothing to choose between: no table (most services have one endpoint; a table is 256 KiB).
            this.slots = new int[0];
        } else if (previous instanceof MaglevPicker p && p.slots.length == size && p.hasAddresses(addresses)) {
            this.slots = p.slots;
        } else {
            this.slots = MaglevTable.populate(addresses, size);
        }
    }

    MaglevPicker(List<Backend> backends, Picker previous) {
        this(backends, MaglevTable.DEFAULT_SIZE, previous);
    }

    private boolean hasAddresses(InetSocketAddress[] addresses) {
        if (addresses.length != backends.length) {
            return false;
        }
        for (int i = 0; i < addresses.length; i++) {
            if (!addresses[i].equals(backends[i].address())) {
                return false;
            }
        }
        return true;
    }

    /** The slot-to-backend-index table, for tests (shared with the picker it was reused from). */
    int[] slots() {
        return slots;
    }

    @Override
    public Backend pick(PickContext context) {
        Backend[] list = backends;
        int n = list.length;
        if (n <= 1) {
            return n == 0 ? null : Candidates.only(list[0]);
        }
        InetAddress client = context == null ? null : context.clientAddress();
        if (client == null) {
            return Candidates.firstAdmitted(list, ThreadLocalRandom.current().nextInt(n), context, null);
        }
        long hash = MaglevTable.clientHash(client);
        Backend primary = list[slots[MaglevTable.slot(hash, slots.length)]];
        boolean tried = context.attempts() > 0 && context.wasTried(primary);
        if (!tried && primary.admits()) {
            return primary;
        }
        return Candidates.firstAdmitted(list, MaglevTable.overflowStart(hash, n), context, tried ? null : primary);
    }
}
