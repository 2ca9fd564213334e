package io.junction.reliability.frame;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's view of another process's UDP sockets, read from outside it: {@code /proc/PID/net/udp} and
 * {@code udp6} (the tables of that process's network namespace) filtered to the socket inodes among
 * {@code /proc/PID/fd}. Written independently of the agent's own reader, so a scenario can check the agent's metric
 * against it. Stateless.
 */
public final class ProcessUdpSockets {
    private static final Pattern SOCKET_LINK = Pattern.compile("socket:\\[(\\d+)]");

    private ProcessUdpSockets() {
    }

    /** What the kernel counts for the sockets of {@code pid} bound to local port {@code port}: drops per socket. */
    public record Bound(List<Long> dropsPerSocket) {
        public int sockets() {
            return dropsPerSocket.size();
        }

        public long drops() {
            return dropsPerSocket.stream().mapToLong(Long::longValue).sum();
        }
    }

    /** The sockets of {@code pid} whose local port is {@code port} (a listener's), with their summed drops. */
    public static Bound onPort(long pid, int port) throws IOException {
        Set<String> inodes = socketInodes(pid);
        List<Long> drops = new ArrayList<>();
        for (String table : List.of("udp", "udp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", table));
            } catch (NoSuchFileException noIpv6) {
                continue;
            }
            for (String line : lines.subList(1, lines.size())) {
                // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
                String[] f = line.trim().split("\\s+");
                String local = f[1];
                int localPort = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
                if (localPort == port && inodes.contains(f[9])) {
                    drops.add(Long.parseLong(f[f.length - 1]));
                }
            }
        }
        return new Bound(List.copyOf(drops));
    }

    /** The namespace-wide {@code Udp: RcvbufErrors} of {@code /proc/PID/net/snmp}. */
    public static long rcvbufErrors(long pid) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", "snmp"));
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("Udp: ") && lines.get(i + 1).startsWith("Udp: ")) {
                List<String> names = List.of(lines.get(i).split("\\s+"));
                String[] values = lines.get(i + 1).split("\\s+");
                return Long.parseLong(values[names.indexOf("RcvbufErrors")]);
            }
        }
        throw new IllegalStateException("no Udp: lines in /proc/" + pid + "/net/snmp");
    }

    private static Set<String> socketInodes(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    Matcher m = SOCKET_LINK.matcher(Files.readSymbolicLink(fd).toString());
                    if (m.matches()) {
                        inodes.add(m.group(1));
                    }
                } catch (NoSuchFileException closedMeanwhile) {
                    // The descriptor was closed while the directory was listed.
                }
            }
        }
        return inodes;
    }
}
