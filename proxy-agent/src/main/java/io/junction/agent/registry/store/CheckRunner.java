package io.junction.agent.registry.store;

import io.junction.core.health.ProbeResult;
import io.junction.core.health.ProbeTarget;
import io.junction.core.health.Prober;
import io.junction.core.model.HealthCheck;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Makes checks live: a TTL check's status expires to critical when its client stops updating it; a TCP or HTTP
 * check is probed by the core health machinery ({@link Prober} on the agent's worker loops) and every result sets
 * its status and output; a check that stays critical for its {@code DeregisterCriticalServiceAfter} removes its
 * service.
 *
 * <p>Confined to the registry's event loop, like the store it updates; probe results arrive on the worker loops and
 * are handed over to it.
 */
public final class CheckRunner implements RegistryStore.CheckHooks, AutoCloseable {
    public static final String TTL_EXPIRED = "TTL expired";

    private static final Logger log = LoggerFactory.getLogger(CheckRunner.class);

    private final EventLoop loop;
    private final Prober prober;
    private final Map<String, ScheduledFuture<?>> ttlTimers = new HashMap<>();
    private final Map<String, ScheduledFuture<?>> reapTimers = new HashMap<>();
    private final Map<String, ProbeTarget> probes = new HashMap<>();
    private final Map<ProbeTarget, Set<String>> probeUsers = new HashMap<>();
    private RegistryStore store;

    /**
     * @param loop    the registry's loop, which owns the store
     * @param workers the loops probes run on
     */
    public CheckRunner(EventLoop loop, EventLoopGroup workers) {
        this.loop = loop;
        this.prober = new Prober(workers, new Prober.Listener() {
            @Override
            public void onTransition(ProbeTarget target, boolean healthy, ProbeResult last) {
                // Every result is reported by onResult; Consul has no thresholds by default.
            }

            @Override
            public void onResult(ProbeTarget target, ProbeResult result) {
                loop.execute(() -> probed(target, result));
            }
        });
    }

    /** The store this runner updates; set once, before the first check arrives. */
    public void attach(RegistryStore value) {
        this.store = value;
    }

    @Override
    public void onAdded(Check check) {
        CheckSpec spec = check.spec();
        switch (spec.type()) {
            case TTL -> armTtl(spec.id(), spec.ttl());
            case TCP, HTTP -> {
                ProbeTarget target = prober.acquire(healthCheck(spec), spec.target(), Prober.Initially.UNHEALTHY);
                probes.put(spec.id(), target);
                probeUsers.computeIfAbsent(target, t -> new LinkedHashSet<>()).add(spec.id());
            }
        }
        followCritical(check);
    }

    @Override
    public void onRemoved(Check check) {
        String id = check.id();
        cancel(ttlTimers.remove(id));
        cancel(reapTimers.remove(id));
        ProbeTarget target = probes.remove(id);
        if (target != null) {
            Set<String> users = probeUsers.get(target);
            users.remove(id);
            if (users.isEmpty()) {
                probeUsers.remove(target);
            }
            prober.release(target);
        }
    }

    @Override
    public void onStatus(Check check) {
        if (check.spec().type() == CheckType.TTL) {
            boolean expired = check.status() == CheckStatus.CRITICAL && TTL_EXPIRED.equals(check.output());
            if (expired) {
                cancel(ttlTimers.remove(check.id()));
            } else {
                armTtl(check.id(), check.spec().ttl());
            }
        }
        followCritical(check);
    }

    private void armTtl(String id, Duration ttl) {
        cancel(ttlTimers.remove(id));
        ttlTimers.put(id, loop.schedule(() -> {
            ttlTimers.remove(id);
            store.update(id, CheckStatus.CRITICAL, TTL_EXPIRED);
        }, ttl.toNanos(), TimeUnit.NANOSECONDS));
    }

    /** Starts the deregistration timer when a check turns critical, stops it when it recovers. */
    private void followCritical(Check check) {
        Duration after = check.spec().deregisterAfter();
        if (after == null) {
            return;
        }
        String id = check.id();
        if (check.status() != CheckStatus.CRITICAL) {
            cancel(reapTimers.remove(id));
            return;
        }
        if (reapTimers.containsKey(id)) {
            return;
        }
        reapTimers.put(id, loop.schedule(() -> {
            reapTimers.remove(id);
            Check now = store.check(id);
            if (now != null && now.status() == CheckStatus.CRITICAL) {
                String service = now.spec().serviceId();
                log.info("registry=deregistered_critical service_id={} check={} critical_for={}", service, id, after);
                store.deregister(service);
            }
        }, after.toNanos(), TimeUnit.NANOSECONDS));
    }

    private void probed(ProbeTarget target, ProbeResult result) {
        Set<String> users = probeUsers.get(target);
        if (users == null) {
            return;
        }
        for (String id : Set.copyOf(users)) {
            Check c = store.check(id);
            if (c == null) {
                continue;
            }
            String what = c.spec().type() == CheckType.HTTP ? "HTTP GET " + c.spec().http()
                    : "TCP connect " + io.junction.core.model.HostPort.format(c.spec().target());
            store.update(id, result.passed() ? CheckStatus.PASSING : CheckStatus.CRITICAL,
                    what + ": " + result.detail());
        }
    }

    /** The core check a Consul TCP or HTTP check amounts to: every probe decides (thresholds of 1). */
    static HealthCheck healthCheck(CheckSpec spec) {
        HealthCheck base = spec.type() == CheckType.HTTP
                ? HealthCheck.http(spec.httpPath()).withExpectStatus(200, 299)
                        .withHost(io.junction.core.model.HostPort.format(spec.target()))
                : HealthCheck.tcp();
        return base.withInterval(spec.interval()).withTimeout(spec.timeout()).withThresholds(1, 1);
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    /** Stops every probe and timer. Runs on the registry loop. */
    @Override
    public void close() {
        ttlTimers.values().forEach(CheckRunner::cancel);
        reapTimers.values().forEach(CheckRunner::cancel);
        ttlTimers.clear();
        reapTimers.clear();
        prober.close();
    }
}
