package io.junction.agent.discovery.zookeeper;

import java.util.regex.Pattern;

/**
 * The checks on names the {@code discovery.zookeeper} block holds: the connect string, znode paths and registry
 * service names. Each returns null for a good value, or the reason it is not. Stateless.
 */
public final class ZooKeeperNames {
    /** A host name or IPv4 literal, then a port: ZooKeeper's own connect-string parser takes no IPv6 brackets here. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?");
    private static final Pattern PORT = Pattern.compile("\\d{1,5}");
    /** Longest connect string taken: a few dozen servers; beyond that it is not a connect string. */
    private static final int MAX_CONNECT = 4096;
    private static final int MAX_NAME = 255;

    public static final String CONNECT_EXPECTED = "expected host:port[,host:port...][/chroot], e.g. "
            + "zk1:2181,zk2:2181/apps";

    private ZooKeeperNames() {
    }

    /** Why {@code connect} is not a ZooKeeper connect string, or null. */
    public static String connectProblem(String connect) {
        if (connect.isBlank() || connect.length() > MAX_CONNECT) {
            return "is not a connect string (" + CONNECT_EXPECTED + ")";
        }
        int slash = connect.indexOf('/');
        String hosts = slash < 0 ? connect : connect.substring(0, slash);
        if (slash >= 0) {
            String chroot = connect.substring(slash);
            String bad = pathProblem(chroot);
            if (bad != null) {
                return "has a bad chroot " + chroot + ": " + bad;
            }
        }
        for (String server : hosts.split(",", -1)) {
            int colon = server.lastIndexOf(':');
            if (colon <= 0 || !HOST.matcher(server.substring(0, colon)).matches()
                    || !PORT.matcher(server.substring(colon + 1)).matches()) {
                return "has '" + server + "', not host:port (" + CONNECT_EXPECTED + ")";
            }
            int port = Integer.parseInt(server.substring(colon + 1));
            if (port < 1 || port > 65535) {
                return "has port " + port + " in '" + server + "' (expected: 1..65535)";
            }
        }
        return null;
    }

    /** Why {@code path} is not an absolute znode path, or null. */
    public static String pathProblem(String path) {
        if (!path.startsWith("/")) {
            return "expected an absolute path starting with '/'";
        }
        if (path.length() > 1 && path.endsWith("/")) {
            return "expected no trailing '/'";
        }
        if (path.length() == 1) {
            return null;
        }
        for (String segment : path.substring(1).split("/", -1)) {
            String bad = nameProblem(segment);
            if (bad != null) {
                return "segment '" + segment + "' " + bad;
            }
        }
        return null;
    }

    /** Why {@code name} cannot be one znode's name (a registry service name), or null. */
    public static String nameProblem(String name) {
        if (name.isEmpty()) {
            return "is empty";
        }
        if (name.equals(".") || name.equals("..")) {
            return "is reserved";
        }
        if (name.length() > MAX_NAME) {
            return "is longer than " + MAX_NAME + " characters";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff)
                    || (c >= 0xfff0 && c <= 0xffff)) {
                return "has a character ZooKeeper does not allow in a name (" + (c == '/' ? "'/'"
                        : String.format("U+%04X", (int) c)) + ")";
            }
        }
        return null;
    }
}
