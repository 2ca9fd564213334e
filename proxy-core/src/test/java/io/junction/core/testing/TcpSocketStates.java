package io.junction.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the kernel's TCP socket table ({@code /proc/net/tcp} and {@code /proc/net/tcp6}) so tests can assert that no
 * socket is left in CLOSE_WAIT or FIN_WAIT2. Linux only; on other systems the table is empty.
 *
 * <p>Stateless and thread-safe.
 */
public final class TcpSocketStates {
    public static final String ESTABLISHED = "01";
    public static final String FIN_WAIT2 = "05";
    public static final String CLOSE_WAIT = "08";

    private TcpSocketStates() {
    }

    /** One row of the table: ports and the state in the kernel's hex code. */
    /** @param queues the kernel's {@code tx_queue:rx_queue} in hex: bytes not yet acknowledged, bytes not yet read */
    public record Entry(int localPort, int remotePort, String state, String queues) {
    }

    public static List<Entry> all() throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (String file : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            Path p = Path.of(file);
            if (!Files.isReadable(p)) {
                continue;
            }
            List<String> lines = Files.readAllLines(p);
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length > 3) {
                    entries.add(new Entry(port(f[1]), port(f[2]), f[3].toUpperCase(Locale.ROOT),
                            f.length > 4 ? f[4] : "?"));
                }
            }
        }
        return entries;
    }

    /** Sockets in {@code state} whose local or remote port is one of {@code ports}. */
    public static List<Entry> inState(String state, int... ports) throws IOException {
        List<Entry> out = new ArrayList<>();
        for (Entry e : all()) {
            if (!e.state().equals(state)) {
                continue;
            }
            for (int port : ports) {
                if (e.localPort() == port || e.remotePort() == port) {
                    out.add(e);
                    break;
                }
            }
        }
        return out;
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.indexOf(':') + 1), 16);
    }
}
