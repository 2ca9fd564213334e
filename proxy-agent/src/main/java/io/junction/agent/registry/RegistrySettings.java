package io.junction.agent.registry;

import io.junction.core.model.Cidr;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The validated {@code discovery.registry} block. Immutable.
 *
 * @param listen            where the Consul-compatible HTTP API listens
 * @param stateFile         where registrations are kept across restarts
 * @param token             the token every write must carry; null when writes are open
 * @param allowedCidrs      the blocks a registered or probed address must fall in; empty means any address
 * @param allowLoopback     whether loopback addresses (127.0.0.0/8, ::1) may be registered
 * @param allowLinkLocal    whether link-local addresses (169.254.0.0/16, fe80::/10) may be registered
 * @param maxBodySize       the largest request body accepted, in bytes
 * @param requestsPerSecond each client IP's sustained request rate
 * @param burst             how many requests a client IP may send at once
 */
public record RegistrySettings(InetSocketAddress listen, Path stateFile, String token, List<Cidr> allowedCidrs,
                               boolean allowLoopback, boolean allowLinkLocal, int maxBodySize,
                               int requestsPerSecond, int burst) {
    public static final InetSocketAddress DEFAULT_LISTEN = new InetSocketAddress("127.0.0.1", 8500);
    public static final int DEFAULT_MAX_BODY_SIZE = 1 << 20;
    public static final int DEFAULT_REQUESTS_PER_SECOND = 50;
    public static final int DEFAULT_BURST = 100;
    public static final String STATE_FILE_NAME = "registry.json";

    public RegistrySettings {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(stateFile, "stateFile");
        allowedCidrs = List.copyOf(allowedCidrs);
        if (token != null && token.isEmpty()) {
            throw new IllegalArgumentException("token: empty (expected: null or a non-empty token)");
        }
        if (maxBodySize < 1) {
            throw new IllegalArgumentException("maxBodySize: " + maxBodySize + " (expected: >= 1)");
        }
        if (requestsPerSecond < 1 || burst < 1) {
            throw new IllegalArgumentException("rateLimit: " + requestsPerSecond + "/s burst " + burst
                    + " (expected: both >= 1)");
        }
    }

    /** Settings with every default, keeping state in {@code stateFile}. */
    public static RegistrySettings defaults(Path stateFile) {
        return new RegistrySettings(DEFAULT_LISTEN, stateFile, null, List.of(), false, false, DEFAULT_MAX_BODY_SIZE,
                DEFAULT_REQUESTS_PER_SECOND, DEFAULT_BURST);
    }

    /**
     * The default state file: {@code $STATE_DIRECTORY/registry.json} when systemd's {@code StateDirectory=} set that
     * variable (its first entry when it lists several), else {@code $XDG_STATE_HOME/junction/registry.json}, else
     * {@code ~/.local/state/junction/registry.json}.
     */
    public static Path defaultStateFile(Map<String, String> env, String userHome) {
        String state = env.get("STATE_DIRECTORY");
        if (state != null && !state.isBlank()) {
            return Path.of(state.split(":", -1)[0]).resolve(STATE_FILE_NAME);
        }
        String xdg = env.get("XDG_STATE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "junction", STATE_FILE_NAME);
        }
        return Path.of(userHome, ".local", "state", "junction", STATE_FILE_NAME);
    }

    public RegistrySettings withListen(InetSocketAddress value) {
        return new RegistrySettings(value, stateFile, token, allowedCidrs, allowLoopback, allowLinkLocal,
                maxBodySize, requestsPerSecond, burst);
    }
}
