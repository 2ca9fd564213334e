package io.junction.core.metrics;

import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one service. The data path only adds to {@link LongAdder}s and atomics (no registry lookups, no
 * allocation); Micrometer reads them through function counters and gauges when it is scraped.
 *
 * <p>Thread-safe.
 */
public final class ServiceMetrics {
    private final ServiceKey key;

    // TCP
    private final LongAdder connectionsAccepted = new LongAdder();
    private final AtomicInteger connectionsActive = new AtomicInteger();
    private final LongAdder connectRetries = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder bytesToBackend = new LongAdder();
    private final LongAdder bytesToClient = new LongAdder();
    private final LongAdder splicedConnections = new LongAdder();

    // UDP
    private final AtomicInteger sessionsActive = new AtomicInteger();
    private final LongAdder sessionsCreated = new LongAdder();
    private final LongAdder sessionsExpired = new LongAdder();
    private final LongAdder datagramsToBackend = new LongAdder();
    private final LongAdder datagramsToClient = new LongAdder();
    private final KernelDrops receiveDrops = new KernelDrops();

    private final Map<FailureReason, LongAdder> failures = new EnumMap<>(FailureReason.class);
    private final Map<ProxyProtocolRejection, LongAdder> proxyProtocolRejected =
            new EnumMap<>(ProxyProtocolRejection.class);

    public ServiceMetrics(ServiceKey key) {
        this.key = key;
        for (FailureReason r : FailureReason.values()) {
            failures.put(r, new LongAdder());
        }
        for (ProxyProtocolRejection r : ProxyProtocolRejection.values()) {
            proxyProtocolRejected.put(r, new LongAdder());
        }
    }

    public ServiceKey key() {
        return key;
    }

    public void onConnectionAccepted() {
        connectionsAccepted.increment();
        connectionsActive.incrementAndGet();
    }

    public void onConnectionClosed() {
        connectionsActive.decrementAndGet();
    }

    public void onConnectRetry() {
        connectRetries.increment();
    }

    public void onConnectFailure() {
        connectFailures.increment();
    }

    public void onFailure(FailureReason reason) {
        failures.get(reason).increment();
    }

    /** A connection to a listener with {@code acceptProxyProtocol} was closed for {@code reason}. */
    public void onProxyProtocolRejected(ProxyProtocolRejection reason) {
        proxyProtocolRejected.get(reason).increment();
    }

    public void addBytesToBackend(long n) {
        bytesToBackend.add(n);
    }

    public void addBytesToClient(long n) {
        bytesToClient.add(n);
    }

    /** A connection switched at least one direction to splice(2) forwarding (counted once per connection). */
    public void onConnectionSpliced() {
        splicedConnections.increment();
    }

    public void onSessionCreated() {
        sessionsCreated.increment();
        sessionsActive.incrementAndGet();
    }

    public void onSessionExpired() {
        sessionsExpired.increment();
        sessionsActive.decrementAndGet();
    }

    /** A session ended for another reason than idle expiry (service removed, shutdown). */
    public void onSessionClosed() {
        sessionsActive.decrementAndGet();
    }

    public void onDatagramToBackend(int bytes) {
        datagramsToBackend.increment();
        bytesToBackend.add(bytes);
    }

    public void onDatagramToClient(int bytes) {
        datagramsToClient.increment();
        bytesToClient.add(bytes);
    }

    public long connectionsAccepted() {
        return connectionsAccepted.sum();
    }

    public int connectionsActive() {
        return connectionsActive.get();
    }

    public long connectRetries() {
        return connectRetries.sum();
    }

    public long connectFailures() {
        return connectFailures.sum();
    }

    public long failures(FailureReason reason) {
        return failures.get(reason).sum();
    }

    public long proxyProtocolRejected(ProxyProtocolRejection reason) {
        return proxyProtocolRejected.get(reason).sum();
    }

    public long bytesToBackend() {
        return bytesToBackend.sum();
    }

    public long bytesToClient() {
        return bytesToClient.sum();
    }

    /** Connections that forwarded at least one direction with splice(2). */
    public long splicedConnections() {
        return splicedConnections.sum();
    }

    public int sessionsActive() {
        return sessionsActive.get();
    }

    public long sessionsCreated() {
        return sessionsCreated.sum();
    }

    public long sessionsExpired() {
        return sessionsExpired.sum();
    }

    public long datagramsToBackend() {
        return datagramsToBackend.sum();
    }

    public long datagramsToClient() {
        return datagramsToClient.sum();
    }

    /** Datagrams the kernel dropped on the service's listening sockets (receive buffer full); read off the data path. */
    public KernelDrops receiveDrops() {
        return receiveDrops;
    }

    /**
     * Registers this service's meters; returns them so the caller can remove them when the service goes away.
     * Names follow Prometheus conventions once the registry renders them ({@code junction_connections_total} ...).
     */
    public List<Meter> bindTo(MeterRegistry registry) {
        Tags tags = Tags.of("service", key.toString());
        List<Meter> meters = new ArrayList<>();
        if (key.protocol() == Protocol.TCP) {
            meters.add(FunctionCounter.builder("junction.connections", connectionsAccepted, LongAdder::sum)
                    .description("Client connections accepted").tags(tags).register(registry));
            meters.add(Gauge.builder("junction.connections.active", connectionsActive, AtomicInteger::get)
                    .description("Client connections open").tags(tags).register(registry));
            meters.add(FunctionCounter.builder("junction.connect.retries", connectRetries, LongAdder::sum)
                    .description("Connect attempts made after a failed one").tags(tags).register(registry));
            meters.add(FunctionCounter.builder("junction.connect.failures", connectFailures, LongAdder::sum)
                    .description("Failed backend connect attempts").tags(tags).register(registry));
            meters.add(FunctionCounter.builder("junction.connections.spliced", splicedConnections, LongAdder::sum)
                    .description("Client connections that forwarded at least one direction with splice(2)")
                    .tags(tags).register(registry));
            // Registered for every TCP service: a reload can turn acceptProxyProtocol on without re-creating them.
            for (Map.Entry<ProxyProtocolRejection, LongAdder> e : proxyProtocolRejected.entrySet()) {
                meters.add(FunctionCounter.builder("junction.proxy.protocol.rejected", e.getValue(), LongAdder::sum)
                        .description("Connections closed before their PROXY protocol header was accepted, by reason")
                        .tags(tags.and("reason", e.getKey().tag())).register(registry));
            }
        } else {
            meters.add(Gauge.builder("junction.udp.sessions.active", sessionsActive, AtomicInteger::get)
                    .description("UDP sessions open").tags(tags).register(registry));
            // Rendered junction_udp_sessions_total.
            meters.add(FunctionCounter.builder("junction.udp.sessions", sessionsCreated, LongAdder::sum)
                    .description("UDP sessions created").tags(tags).register(registry));
            meters.add(FunctionCounter.builder("junction.udp.sessions.expired", sessionsExpired, LongAdder::sum)
                    .description("UDP sessions expired by idle timeout").tags(tags).register(registry));
            meters.add(FunctionCounter.builder("junction.udp.datagrams", datagramsToBackend, LongAdder::sum)
                    .description("Datagrams forwarded").tags(tags.and("direction", "to_backend"))
                    .register(registry));
            meters.add(FunctionCounter.builder("junction.udp.datagrams", datagramsToClient, LongAdder::sum)
                    .description("Datagrams forwarded").tags(tags.and("direction", "to_client"))
                    .register(registry));
            // Rendered junction_udp_receive_drops_total; reads /proc when scraped, never on the data path.
            meters.add(FunctionCounter.builder("junction.udp.receive.drops", receiveDrops, KernelDrops::total)
                    .description("Datagrams the kernel dropped on the service's listening sockets, nearly always"
                            + " because a socket's receive buffer was full (0 where the transport does not expose it)")
                    .tags(tags).register(registry));
        }
        meters.add(FunctionCounter.builder("junction.bytes", bytesToBackend, LongAdder::sum)
                .description("Bytes forwarded").tags(tags.and("direction", "to_backend")).register(registry));
        meters.add(FunctionCounter.builder("junction.bytes", bytesToClient, LongAdder::sum)
                .description("Bytes forwarded").tags(tags.and("direction", "to_client")).register(registry));
        for (Map.Entry<FailureReason, LongAdder> e : failures.entrySet()) {
            if (!e.getKey().appliesTo(key.protocol())) {
                continue;
            }
            meters.add(FunctionCounter.builder("junction.failures", e.getValue(), LongAdder::sum)
                    .description("Connections or datagrams not forwarded, or closed by the proxy, by reason")
                    .tags(tags.and("reason", e.getKey().tag())).register(registry));
        }
        return meters;
    }
}
