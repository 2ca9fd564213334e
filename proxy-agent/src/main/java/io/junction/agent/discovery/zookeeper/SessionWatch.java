package io.junction.agent.discovery.zookeeper;

import io.junction.core.discovery.DiscoveryListener;
import org.apache.curator.framework.state.ConnectionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the ZooKeeper connection for the source: one log line when it goes (suspended or lost), one when it comes
 * back, the loss reported to the listener (so {@code /api/status} shows it) and counted. A ZooKeeper that never
 * answered by the connection timeout at start is reported the same way, once.
 *
 * <p>Confined to the source's thread.
 */
final class SessionWatch {
    private static final Logger log = LoggerFactory.getLogger(SessionWatch.class);

    private final String connect;
    private final ZooKeeperMetrics metrics;
    private DiscoveryListener listener;
    private boolean everConnected;
    private boolean connected;
    private boolean reportedUnreachable;
    private long sessionId;
    private long lostAtNanos;

    SessionWatch(String connect, ZooKeeperMetrics metrics) {
        this.connect = connect;
        this.metrics = metrics;
    }

    void listener(DiscoveryListener value) {
        listener = value;
    }

    /** At the connection timeout after start: still never connected is worth one warning and a status entry. */
    void checkReachedAtStart() {
        if (everConnected || reportedUnreachable || listener == null) {
            return;
        }
        reportedUnreachable = true;
        metrics.failed();
        String message = "ZooKeeper at " + connect + " unreachable; not ready until it answers";
        log.warn("zookeeper=unreachable connect={} serving=not_yet reason=\"{}\"", connect, message);
        listener.onError(ZooKeeperSource.NAME, message, null);
    }

    /**
     * A connection-state change; {@code currentSession} is the session id now. Returns true when the connection came
     * back after a loss.
     */
    boolean onState(ConnectionState state, long currentSession) {
        return switch (state) {
            case CONNECTED, RECONNECTED, READ_ONLY -> up(state, currentSession);
            case SUSPENDED, LOST -> {
                down(state);
                yield false;
            }
        };
    }

    private boolean up(ConnectionState state, long currentSession) {
        metrics.connected(true);
        if (!everConnected) {
            everConnected = true;
            connected = true;
            sessionId = currentSession;
            log.info("zookeeper=connected connect={} session=0x{} after_unreachable={}", connect,
                    Long.toHexString(currentSession), reportedUnreachable);
            return false;
        }
        if (connected) {
            return false;
        }
        connected = true;
        boolean newSession = currentSession != sessionId;
        sessionId = currentSession;
        log.info("zookeeper=recovered connect={} state={} down_ms={} session={}", connect, state,
                (System.nanoTime() - lostAtNanos) / 1_000_000, newSession ? "new" : "same");
        return true;
    }

    private void down(ConnectionState state) {
        metrics.connected(false);
        if (!everConnected) {
            return;
        }
        if (connected) {
            connected = false;
            lostAtNanos = System.nanoTime();
            metrics.lost();
            String message = "ZooKeeper connection " + (state == ConnectionState.LOST ? "lost" : "suspended")
                    + " (" + connect + "); serving the last known state";
            log.warn("zookeeper=lost state={} connect={} serving=last_known_state", state, connect);
            listener.onError(ZooKeeperSource.NAME, message, null);
        } else if (state == ConnectionState.LOST) {
            // Already logged as suspended: the status now says the session is gone too, the log stays at one line.
            log.debug("zookeeper=session_lost connect={}", connect);
            listener.onError(ZooKeeperSource.NAME, "ZooKeeper session lost (" + connect
                    + "); serving the last known state until a new session reads the registry", null);
        }
    }
}
