package io.junction.core.forward.udp;

import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's per-socket UDP drop counts, from {@code /proc/net/udp} and {@code /proc/net/udp6} (the {@code drops}
 * column, keyed by socket inode) of the process's network namespace. A socket's count grows when the kernel discards
 * a datagram addressed to it, nearly always because its receive buffer is full (also: memory accounting limits, a
 * failed checksum, a socket filter). The namespace-wide {@code Udp: RcvbufErrors} of {@code /proc/net/snmp} counts the
 * same receive-buffer drops for every socket of the namespace at once, including the clients and backends of other
 * programs, so it cannot say which service suffered; node_exporter already exports it.
 *
 * <p>One parse serves every reader for {@link #REUSE_NANOS}, so a scrape with many UDP services reads the files once.
 * Only sockets with drops are kept from a parse (their number is small even when sessions hold thousands of sockets).
 *
 * <p>Thread-safe. Reads files: call from the scraping or control thread, never from an event loop.
 */
final class ProcNetUdp {
    /** The files of the calling process's network namespace. */
    static final ProcNetUdp SYSTEM = new ProcNetUdp(List.of(Path.of("/proc/self/net/udp"),
            Path.of("/proc/self/net/udp6")));

    static final long REUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final Pattern SOCKET_LINK = Pattern.compile("socket:\\[(\\d+)]");
    /** Columns of a socket line: sl, local, remote, st, tx:rx queue, tr:when, retrnsmt, uid, timeout, inode, ... */
    private static final int INODE_COLUMN = 9;
    private static final int DROPS_COLUMN = 12;

    private final List<Path> files;
    private Map<Long, Long> lastParse = Map.of();
    private long parsedAt;
    private boolean parsed;

    ProcNetUdp(List<Path> files) {
        this.files = List.copyOf(files);
    }

    /**
     * The kernel's drop count of each socket in {@code inodes}, summed. A file that does not exist (no IPv6) is
     * skipped.
     *
     * @throws IOException when a file exists but cannot be read
     */
    synchronized long drops(long[] inodes) throws IOException {
        long now = System.nanoTime();
        if (!parsed || now - parsedAt >= REUSE_NANOS) {
            Map<Long, Long> fresh = new HashMap<>();
            for (Path file : files) {
                try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
                    parse(in, fresh);
                } catch (NoSuchFileException absent) {
                    // This namespace has no such table (IPv6 disabled): nothing of ours can be in it.
                }
            }
            lastParse = fresh;
            parsedAt = now;
            parsed = true;
        }
        long sum = 0;
        for (long inode : inodes) {
            sum += lastParse.getOrDefault(inode, 0L);
        }
        return sum;
    }

    /** Adds the sockets of one {@code /proc/net/udp}-style table that have drops to {@code into}, by inode. */
    static void parse(BufferedReader in, Map<Long, Long> into) throws IOException {
        String header = in.readLine();
        if (header == null) {
            return;
        }
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String trimmed = line.strip();
            if (trimmed.endsWith(" 0")) {
                // No drops (the last column): most sockets, so most lines, are skipped without being split.
                continue;
            }
            String[] f = trimmed.split("\\s+");
            if (f.length <= DROPS_COLUMN) {
                continue;
            }
            long drops = Long.parseLong(f[DROPS_COLUMN]);
            if (drops != 0) {
                into.merge(Long.parseLong(f[INODE_COLUMN]), drops, Long::sum);
            }
        }
    }

    /**
     * The socket inode behind a native (epoll or io_uring) channel, read from {@code /proc/self/fd}; empty for a
     * channel without a descriptor of its own to read (NIO) or when {@code /proc} cannot say.
     */
    static OptionalLong inodeOf(Channel channel) {
        if (!(channel instanceof UnixChannel unix) || !unix.fd().isOpen()) {
            return OptionalLong.empty();
        }
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(unix.fd().intValue())))
                    .toString();
            Matcher m = SOCKET_LINK.matcher(link);
            return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
        } catch (IOException | UnsupportedOperationException e) {
            return OptionalLong.empty();
        }
    }
}
