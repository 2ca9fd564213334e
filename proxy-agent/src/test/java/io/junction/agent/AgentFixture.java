package io.junction.agent;

import io.junction.agent.config.ConfigLoader;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/** Starts agents on temporary config files and talks to them over loopback sockets. Test-only. */
final class AgentFixture {
    private AgentFixture() {
    }

    /** A loopback port that was free a moment ago (the config format does not accept port 0). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository's root: Maven runs the module's tests in the module's directory. */
    static Path repositoryRoot() {
        Path root = Path.of("..").toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("README.md"))) {
            throw new IllegalStateException("no README.md in " + root + " (expected: tests run in proxy-agent/)");
        }
        return root;
    }

    /** Replaces the file atomically, as editors and ConfigMap updates do. */
    static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static Agent start(Path config) {
        return Agent.start(config, new ConfigLoader().load(config), Duration.ofSeconds(10));
    }

    static String endpoints(InetSocketAddress... backends) {
        StringBuilder b = new StringBuilder();
        for (InetSocketAddress a : backends) {
            b.append("      - 127.0.0.1:").append(a.getPort()).append('\n');
        }
        return b.toString();
    }

    /**
     * The value of one series in the agent's Prometheus scrape, {@code series} as it is written there, e.g.
     * {@code junction_discovery_errors_total{source="zookeeper"}}.
     */
    static double metric(Agent agent, String series) {
        String prefix = series + " ";
        return agent.registry().scrape().lines().filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> Double.parseDouble(l.substring(prefix.length()).trim()))
                .orElseThrow(() -> new AssertionError("no series " + series + " in the scrape"));
    }

    /** The source's {@code junction_discovery_last_sync_seconds}, in milliseconds. */
    static long lastSyncMillis(Agent agent, String source) {
        return (long) (metric(agent, "junction_discovery_last_sync_seconds{source=\"" + source + "\"}") * 1000);
    }

    /** One request/response over a fresh connection; returns the echoed text. */
    static String echoOnce(int port, String message) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            return roundTrip(s, message);
        }
    }

    static String roundTrip(Socket s, String message) throws IOException {
        byte[] out = message.getBytes(StandardCharsets.UTF_8);
        OutputStream os = s.getOutputStream();
        os.write(out);
        os.flush();
        InputStream in = s.getInputStream();
        byte[] got = in.readNBytes(out.length);
        return new String(got, StandardCharsets.UTF_8);
    }
}
