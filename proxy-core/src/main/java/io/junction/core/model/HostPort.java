package io.junction.core.model;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The one way addresses are written in logs, the access log, the admin API and error messages: {@code ip:port},
 * with brackets around IPv6 ({@code [::1]:8080}), never a host name lookup. Stateless.
 */
public final class HostPort {
    private HostPort() {
    }

    /** {@code ip:port}, {@code [v6]:port}; an unresolved address prints its host string. */
    public static String format(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        return format(ip == null ? address.getHostString() : ip.getHostAddress(), address.getPort());
    }

    /** As {@link #format(InetSocketAddress)} for an internet address, else the address's own text; "-" for null. */
    public static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return format(inet);
        }
        return address == null ? "-" : address.toString();
    }

    /** An IP literal and a port, bracketing IPv6. */
    public static String format(String ip, int port) {
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ':' + port;
    }
}
