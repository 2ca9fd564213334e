package io.junction.core.forward.udp;

import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * The kernel's drop count of one UDP listener: the sum over its sockets (one per event loop with
 * {@code SO_REUSEPORT}), found by their inodes in {@link ProcNetUdp}. The inodes are resolved once, at bind; a
 * listener whose sockets have none to resolve (NIO, no {@code /proc}) counts 0. A failed read returns the last count,
 * so the service's counter never goes back.
 *
 * <p>Thread-safe; {@link #getAsLong()} reads {@code /proc}: scraping or control thread only.
 */
final class ListenerDrops implements LongSupplier {
    private static final Logger log = LoggerFactory.getLogger(ListenerDrops.class);

    private final ProcNetUdp table;
    private final long[] inodes;
    private long last;
    private boolean warned;

    private ListenerDrops(ProcNetUdp table, long[] inodes) {
        this.table = table;
        this.inodes = inodes;
    }

    /** The drops of {@code channels}, read from {@code table}. */
    static ListenerDrops of(ProcNetUdp table, List<? extends Channel> channels) {
        long[] inodes = channels.stream().map(ProcNetUdp::inodeOf).filter(OptionalLong::isPresent)
                .mapToLong(OptionalLong::getAsLong).toArray();
        return new ListenerDrops(table, inodes);
    }

    /** Sockets whose drops are read (0 where the transport exposes none). */
    int sockets() {
        return inodes.length;
    }

    @Override
    public synchronized long getAsLong() {
        if (inodes.length == 0) {
            return 0;
        }
        try {
            // Never below the last count: a socket's count only grows, and a failed read must not look like a reset.
            last = Math.max(last, table.drops(inodes));
        } catch (IOException | RuntimeException e) {
            if (!warned) {
                warned = true;
                log.warn("udp receive drops unreadable cause=\"{}\" (the counter keeps its last value)", e.toString());
            }
        }
        return last;
    }
}
