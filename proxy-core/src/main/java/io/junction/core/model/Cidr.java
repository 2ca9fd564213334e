package io.junction.core.model;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An address block such as {@code 10.0.0.0/8} or {@code fd00::/8}. An IPv4 block never contains an IPv6 address and
 * the other way round, except that an IPv4-mapped IPv6 address ({@code ::ffff:10.1.2.3}, as a dual-stack socket may
 * report an IPv4 peer) is compared as the IPv4 address it carries. Shared by the registry's {@code allowedCidrs} and
 * the PROXY protocol's {@code trustedCidrs}, which an event loop checks once per accepted connection: an IPv4 check
 * allocates nothing. Immutable.
 *
 * @param network the block's first address (host bits cleared)
 * @param prefix  the prefix length
 */
public record Cidr(InetAddress network, int prefix) {
    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    public Cidr {
        Objects.requireNonNull(network, "network");
        int bits = network.getAddress().length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("prefix: " + prefix + " (expected: 0.." + bits + ")");
        }
    }

    /**
     * Parses {@code ip/prefix} (a bare IP is a single-address block). Throws {@link IllegalArgumentException} with a
     * message saying what is wrong; never queries DNS.
     */
    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String ip = slash < 0 ? t : t.substring(0, slash);
        InetAddress address = ipLiteral(ip);
        int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (!p.matches("\\d{1,3}")) {
                throw new IllegalArgumentException("the prefix length '" + p + "' is not a number");
            }
            prefix = Integer.parseInt(p);
            if (prefix > bits) {
                throw new IllegalArgumentException("prefix length " + prefix + " is out of range (expected: 0.."
                        + bits + ")");
            }
        }
        byte[] b = address.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            b[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return new Cidr(InetAddress.getByAddress(b), prefix);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an address block", e);
        }
    }

    /** An IP literal, IPv4 dotted quad or IPv6; never a host name. */
    static InetAddress ipLiteral(String ip) {
        boolean v4 = IPV4.matcher(ip).matches();
        boolean v6 = !v4 && ip.indexOf(':') >= 0 && IPV6.matcher(ip).matches();
        if (!v4 && !v6) {
            throw new IllegalArgumentException("'" + ip + "' is not an IP address");
        }
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + ip + "' is not an IP address", e);
        }
    }

    public boolean contains(InetAddress address) {
        if (network instanceof Inet4Address) {
            return address instanceof Inet4Address v4 ? containsV4(v4.hashCode()) : containsMapped(address);
        }
        return !(address instanceof Inet4Address) && matches(address.getAddress(), 0);
    }

    /** An IPv4 address as an int: {@link Inet4Address#hashCode()} is exactly that, and reading it copies nothing. */
    private boolean containsV4(int ip) {
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        return (ip & mask) == (network.hashCode() & mask);
    }

    /** An IPv6 address inside this IPv4 block: only as an IPv4-mapped address. */
    private boolean containsMapped(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff && matches(a, 12);
    }

    /** Whether {@code a}, from {@code offset} on, starts with this block's first {@code prefix} bits. */
    private boolean matches(byte[] a, int offset) {
        byte[] n = network.getAddress();
        if (a.length - offset != n.length) {
            return false;
        }
        for (int i = 0; i < n.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            int mask = (0xff << (8 - keep)) & 0xff;
            if ((a[offset + i] & mask) != (n[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return network.getHostAddress() + '/' + prefix;
    }
}
