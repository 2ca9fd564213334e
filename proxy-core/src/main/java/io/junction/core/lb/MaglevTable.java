package io.junction.core.lb;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * The lookup table of Maglev consistent hashing (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
 * Balancer", NSDI 2016, section 3.4). Each backend gets a permutation of the table's slots from two hashes of its
 * address, {@code offset} and {@code skip} (slot j of its preference list is {@code (offset + j * skip) mod size});
 * backends then take turns claiming their next preferred slot that is still free until the table is full. Every
 * backend ends with {@code size / n} slots, give or take one, and removing a backend frees only its own slots for the
 * others (plus a few reshuffled ones): its clients move, nearly everyone else's stay.
 *
 * <p>The size must be a prime, so every {@code skip} in 1..size-1 visits every slot; the default 65,537 keeps the
 * disruption small for up to a few hundred backends (the paper's guidance: size well above 100 times the backend
 * count) at 256 KiB per table. With more backends than slots some backends get no slot and see only overflow.
 *
 * <p>A backend's identity is its address (ip and port), not its position in any list: the table depends only on the
 * set of addresses, so two proxies, or two rebuilds, with the same endpoints build the same table.
 *
 * <p>Immutable once built; built on the control thread (one pass over the slots, a few milliseconds at most).
 */
final class MaglevTable {
    /** A prime; the size Google's Maglev and Envoy use by default. */
    static final int DEFAULT_SIZE = 65_537;

    private static final long OFFSET_SEED = 0x9E37_79B9_7F4A_7C15L;
    private static final long SKIP_SEED = 0xC2B2_AE3D_27D4_EB4FL;
    private static final long CLIENT_SEED = 0x1656_67B1_9E37_79F9L;

    private MaglevTable() {
    }

    /**
     * For each slot of a table of {@code size} slots, the index in {@code addresses} of the backend that owns it.
     * The result depends on the order of {@code addresses}: pass them in a canonical order.
     */
    static int[] populate(InetSocketAddress[] addresses, int size) {
        int n = addresses.length;
        int[] slots = new int[size];
        if (n == 0) {
            return slots;
        }
        Arrays.fill(slots, -1);
        int[] position = new int[n];
        int[] skip = new int[n];
        for (int i = 0; i < n; i++) {
            long identity = addressHash(addresses[i]);
            position[i] = (int) Long.remainderUnsigned(mix(identity ^ OFFSET_SEED), size);
            skip[i] = (int) Long.remainderUnsigned(mix(identity ^ SKIP_SEED), size - 1) + 1;
        }
        int filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                int c = position[i];
                while (slots[c] >= 0) {
                    c = next(c, skip[i], size);
                }
                slots[c] = i;
                position[i] = next(c, skip[i], size);
                if (++filled == size) {
                    return slots;
                }
            }
        }
    }

    private static int next(int slot, int skip, int size) {
        int c = slot + skip;
        return c >= size ? c - size : c;
    }

    /**
     * Hit path: a 64-bit hash of the client address, without allocating. {@link InetAddress#getAddress()} clones the
     * address bytes, so this hashes {@link InetAddress#hashCode()} instead: for IPv4 it is the address itself; for
     * IPv6 it is the sum of the address's four 32-bit words (JDK 17), so the few IPv6 clients whose word sums
     * collide share a backend, which costs balance only when such clients are numerous. The mix spreads every bit
     * of the input over the result, so neighbouring addresses land on unrelated slots.
     */
    static long clientHash(InetAddress client) {
        return mix((client.hashCode() & 0xFFFF_FFFFL) ^ CLIENT_SEED);
    }

    /** Slot of a client hash in a table of {@code size} slots (multiply-shift: no division on the hit path). */
    static int slot(long hash, int size) {
        return (int) (((hash >>> 32) * size) >>> 32);
    }

    /** Where a client's overflow scan starts among {@code n} backends: other bits of the same hash. */
    static int overflowStart(long hash, int n) {
        return (int) (((hash & 0xFFFF_FFFFL) * n) >>> 32);
    }

    /** Hash of a backend's identity, ip bytes and port (control thread: allocation is fine here). */
    static long addressHash(InetSocketAddress address) {
        long h = 0xCBF2_9CE4_8422_2325L;
        for (byte b : address.getAddress().getAddress()) {
            h = (h ^ (b & 0xFF)) * 0x0000_0100_0000_01B3L;
        }
        h = (h ^ address.getPort()) * 0x0000_0100_0000_01B3L;
        return mix(h);
    }

    /** MurmurHash3's 64-bit finalizer: a bijection whose every output bit depends on every input bit. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return h;
    }
}
