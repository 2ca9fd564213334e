package io.junction.agent;

import io.junction.core.model.HostPort;
import io.junction.core.model.ServiceKey;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns a listen address the kernel refused with EACCES into one line that says what to do. Other bind failures (an
 * address in use, a virtual address not local yet) may clear up, and the agent retries them; a permission problem
 * does not (a process gains no capability while it runs), so at start it is fatal, and the kernel's bare "Permission
 * denied" becomes: which address, for which service, and the two ways out (grant CAP_NET_BIND_SERVICE, or listen at
 * or above {@code net.ipv4.ip_unprivileged_port_start}). Stateless.
 */
final class ListenPermission {
    /** The sysctl, per network namespace: ports below it need CAP_NET_BIND_SERVICE. */
    static final Path UNPRIVILEGED_PORT_START = Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start");
    /** The kernel's default, and the value on systems without the sysctl (before Linux 4.11). */
    static final int DEFAULT_UNPRIVILEGED_PORT_START = 1024;

    private ListenPermission() {
    }

    /**
     * The first service listener refused for lack of permission, explained; empty when none was.
     *
     * @param errors          the listener errors by service (the reason texts the listener binder keeps)
     * @param listenOf        the address each service wanted
     * @param unprivilegedPortStart the namespace's {@code ip_unprivileged_port_start}
     */
    static Optional<String> refusal(Map<ServiceKey, String> errors, Function<ServiceKey, InetSocketAddress> listenOf,
                                    int unprivilegedPortStart) {
        return errors.entrySet().stream()
                .filter(e -> isPermissionDenied(e.getValue()))
                .findFirst()
                .map(e -> explain("service " + e.getKey(), listenOf.apply(e.getKey()), unprivilegedPortStart));
    }

    /** Whether a bind failure's text is EACCES (Netty's native transport and the JDK both say "Permission denied"). */
    static boolean isPermissionDenied(String reason) {
        return reason != null && reason.contains("Permission denied");
    }

    /** One line: what could not listen where, and what to do about it. */
    static String explain(String who, InetSocketAddress address, int unprivilegedPortStart) {
        String where = HostPort.format(address);
        if (address.getPort() < unprivilegedPortStart) {
            return "cannot listen on " + where + " (" + who + "): permission denied: ports below "
                    + unprivilegedPortStart + " (net.ipv4.ip_unprivileged_port_start) need CAP_NET_BIND_SERVICE; "
                    + "grant it (systemd AmbientCapabilities=CAP_NET_BIND_SERVICE, or setcap on the java binary) "
                    + "or listen on a port >= " + unprivilegedPortStart;
        }
        return "cannot listen on " + where + " (" + who + "): permission denied, though " + address.getPort()
                + " is not a privileged port here (net.ipv4.ip_unprivileged_port_start is " + unprivilegedPortStart
                + "); a security policy (SELinux, AppArmor, a seccomp or cgroup bind filter) refused it";
    }

    /** This network namespace's {@code ip_unprivileged_port_start}; 1024 when it cannot be read. */
    static int unprivilegedPortStart() {
        return unprivilegedPortStart(UNPRIVILEGED_PORT_START);
    }

    static int unprivilegedPortStart(Path sysctl) {
        // One read of a whole buffer: a sysctl file answers only a read at offset 0, so a reader that starts with
        // a small read (Files.readString on a file whose size is 0) would get its first digit and then EOF.
        byte[] buf = new byte[32];
        try (InputStream in = Files.newInputStream(sysctl)) {
            int n = in.read(buf);
            return Integer.parseInt(new String(buf, 0, Math.max(n, 0), StandardCharsets.US_ASCII).strip());
        } catch (IOException | NumberFormatException | SecurityException e) {
            return DEFAULT_UNPRIVILEGED_PORT_START;
        }
    }
}
