package io.junction.bench.startup;

import io.junction.bench.targets.FreePorts;
import io.junction.core.model.Protocol;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent config one start-up run uses, and the two addresses it is probed on: the admin server (for
 * {@code /readyz}; null when {@code admin.listen} is "off" or absent) and the first TCP service's listener.
 * Immutable.
 *
 * <p>{@link #onFreePorts} takes the shipped {@code config/junction.yaml} as it is, comments and all, and changes only
 * what must differ on a benchmark box: every {@code listen:} (admin, registry, services) moves to a free loopback
 * port, and the registry's {@code stateFile} goes into the run's own directory. The file is read with a line scanner
 * that knows block-style YAML only, which is what the shipped file uses.
 *
 * @param yaml    the config text to run
 * @param admin   the admin server's address, or null
 * @param service the first TCP service listener's address
 */
public record StartupConfig(String yaml, InetSocketAddress admin, InetSocketAddress service) {
    private static final Pattern KEY = Pattern.compile("^(\\s*)(-\\s+)?([A-Za-z][A-Za-z0-9_]*):(.*)$");

    public StartupConfig {
        if (service == null) {
            throw new IllegalArgumentException("the config has no TCP service with a listen address (expected: a"
                    + " services[] entry with a block-style `listen: host:port`)");
        }
    }

    /** A config used as given (e.g. {@code --config FILE}): only its addresses are read. */
    public static StartupConfig asGiven(String yaml) {
        Scan scan = Scan.of(yaml);
        return new StartupConfig(yaml, loopback(scan.value(scan.admin)), loopback(scan.firstTcpServiceListen()));
    }

    /** The shipped config with every listener on a free loopback port and the registry's state in {@code stateDir}. */
    public static StartupConfig onFreePorts(String shippedYaml, Path stateDir) {
        Scan scan = Scan.of(shippedYaml);
        List<String> lines = new ArrayList<>(scan.lines);
        InetSocketAddress admin = null;
        if (scan.admin >= 0 && !scan.value(scan.admin).equalsIgnoreCase("off")) {
            admin = moveToFreePort(lines, scan.admin, Protocol.TCP);
        }
        if (scan.registryListen >= 0) {
            moveToFreePort(lines, scan.registryListen, Protocol.TCP);
        }
        InetSocketAddress service = null;
        for (Scan.ServiceItem item : scan.services) {
            if (item.listenLine >= 0) {
                InetSocketAddress moved = moveToFreePort(lines, item.listenLine, scan.protocolOf(item));
                if (service == null && scan.protocolOf(item) == Protocol.TCP) {
                    service = moved;
                }
            }
        }
        String state = "\"" + stateDir.resolve("registry.json").toAbsolutePath() + "\"";
        if (scan.registryStateFile >= 0) {
            lines.set(scan.registryStateFile, replaceValue(lines.get(scan.registryStateFile), state));
        } else if (scan.registryListen >= 0) {
            String listen = lines.get(scan.registryListen);
            String indent = listen.substring(0, listen.indexOf("listen:"));
            lines.add(scan.registryListen + 1, indent.replace('-', ' ') + "stateFile: " + state);
        }
        return new StartupConfig(String.join("\n", lines) + "\n", admin, service);
    }

    private static InetSocketAddress moveToFreePort(List<String> lines, int index, Protocol protocol) {
        int port = FreePorts.pick(protocol);
        lines.set(index, replaceValue(lines.get(index), "127.0.0.1:" + port));
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** {@code key: old  # comment} becomes {@code key: value  # comment}. */
    private static String replaceValue(String line, String value) {
        Matcher m = KEY.matcher(line);
        if (!m.matches()) {
            throw new IllegalStateException("not a key line: " + line);
        }
        String rest = m.group(4);
        int hash = rest.indexOf(" #");
        String comment = hash >= 0 ? "  " + rest.substring(hash + 1) : "";
        return m.group(1) + (m.group(2) == null ? "" : m.group(2)) + m.group(3) + ": " + value + comment;
    }

    /** {@code host:port} to an address; wildcard hosts are probed on loopback. Null stays null, "off" is null. */
    static InetSocketAddress loopback(String hostPort) {
        if (hostPort == null || hostPort.equalsIgnoreCase("off")) {
            return null;
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("listen: " + hostPort + " (expected: host:port)");
        }
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        if (host.equals("0.0.0.0") || host.equals("*") || host.isEmpty()) {
            host = "127.0.0.1";
        } else if (host.equals("::")) {
            host = "::1";
        }
        return new InetSocketAddress(host, port);
    }

    /**
     * Where the interesting keys are: a stack of (indent, key) per line gives each key its path, and a {@code - }
     * under {@code services} starts a new entry. Line indexes are -1 when absent.
     */
    private static final class Scan {
        final List<String> lines;
        int admin = -1;
        int registryListen = -1;
        int registryStateFile = -1;
        final List<ServiceItem> services = new ArrayList<>();

        private Scan(List<String> lines) {
            this.lines = lines;
        }

        static Scan of(String yaml) {
            Scan s = new Scan(List.of(yaml.split("\r?\n", -1)));
            List<int[]> indents = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < s.lines.size(); i++) {
                String line = s.lines.get(i);
                if (line.isBlank() || line.strip().startsWith("#")) {
                    continue;
                }
                Matcher m = KEY.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                int dash = m.group(1).length();
                int indent = dash + (m.group(2) == null ? 0 : m.group(2).length());
                while (!indents.isEmpty() && indents.get(indents.size() - 1)[0] >= indent) {
                    indents.remove(indents.size() - 1);
                    keys.remove(keys.size() - 1);
                }
                String key = m.group(3);
                List<String> path = new ArrayList<>(keys);
                path.add(key);
                indents.add(new int[] {indent});
                keys.add(key);
                if (m.group(2) != null && path.size() == 2 && path.get(0).equals("services")) {
                    s.services.add(new ServiceItem());
                }
                s.record(path, i);
            }
            return s;
        }

        private void record(List<String> path, int line) {
            String joined = String.join(".", path);
            switch (joined) {
                case "admin.listen" -> admin = line;
                case "discovery.registry.listen" -> registryListen = line;
                case "discovery.registry.stateFile" -> registryStateFile = line;
                case "services.listen" -> current().listenLine = line;
                case "services.protocol" -> current().protocolLine = line;
                default -> {
                }
            }
        }

        private ServiceItem current() {
            if (services.isEmpty()) {
                services.add(new ServiceItem());
            }
            return services.get(services.size() - 1);
        }

        String value(int line) {
            if (line < 0) {
                return null;
            }
            Matcher m = KEY.matcher(lines.get(line));
            if (!m.matches()) {
                return null;
            }
            String v = m.group(4).strip();
            int hash = v.indexOf(" #");
            if (hash >= 0) {
                v = v.substring(0, hash).strip();
            }
            if (v.length() >= 2 && (v.startsWith("\"") || v.startsWith("'"))) {
                v = v.substring(1, v.length() - 1);
            }
            return v;
        }

        String firstTcpServiceListen() {
            for (ServiceItem item : services) {
                if (item.listenLine >= 0 && protocolOf(item) == Protocol.TCP) {
                    return value(item.listenLine);
                }
            }
            return null;
        }

        Protocol protocolOf(ServiceItem item) {
            String p = value(item.protocolLine);
            return p != null && p.toLowerCase(Locale.ROOT).equals("udp") ? Protocol.UDP : Protocol.TCP;
        }

        /** One services[] entry; mutable only while the scan runs. */
        static final class ServiceItem {
            int listenLine = -1;
            int protocolLine = -1;
        }
    }
}
