package io.junction.agent.registry.http;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One Resilience4j {@link RateLimiter} per client IP: {@code burst} requests per {@code burst / requestsPerSecond}
 * seconds, so a client may send a burst at once and {@code requestsPerSecond} on average. The limiters live in an
 * LRU map of at most {@link #MAX_CLIENTS} addresses: a flood of source addresses evicts the least recently seen
 * ones instead of growing memory without bound.
 *
 * <p>Confined to the registry's event loop (the map is not thread-safe).
 */
final class ClientRateLimits {
    static final int MAX_CLIENTS = 4096;

    private final RateLimiterConfig config;
    private final Map<InetAddress, RateLimiter> limiters = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, RateLimiter> eldest) {
            return size() > MAX_CLIENTS;
        }
    };

    ClientRateLimits(int requestsPerSecond, int burst) {
        long periodNanos = Math.max(1_000_000L, 1_000_000_000L * burst / requestsPerSecond);
        this.config = RateLimiterConfig.custom()
                .limitForPeriod(burst)
                .limitRefreshPeriod(Duration.ofNanos(periodNanos))
                .timeoutDuration(Duration.ZERO)
                .build();
    }

    /** True when {@code client} may make one more request now; never waits. */
    boolean admit(InetAddress client) {
        RateLimiter limiter = limiters.computeIfAbsent(client,
                c -> new AtomicRateLimiter("registry-client-" + NetUtil.toAddressString(c), config));
        return limiter.acquirePermission();
    }

    int size() {
        return limiters.size();
    }
}
