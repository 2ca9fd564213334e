package io.junction.core.forward.udp;

import io.junction.core.clock.NanoClock;
import io.junction.core.forward.EventLoops;
import io.junction.core.forward.Transports;
import io.junction.core.lb.Backend;
import io.junction.core.lb.Pickers;
import io.junction.core.metrics.FailureReason;
import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.model.Endpoint;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServiceSpec;
import io.junction.core.model.UdpSettings;
import io.junction.core.state.ServiceHandle;
import io.junction.core.state.ServiceSnapshot;
import io.junction.core.testing.ManualClock;
import io.junction.core.testing.UdpEchoServer;
import io.junction.core.testing.UdpTestClient;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** End-to-end UDP forwarding over real sockets on 127.0.0.1, through {@link UdpListenerFactory}. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UdpForwardingTest {
    private static final Duration REPLY = Duration.ofSeconds(2);
    private static final Duration SILENCE = Duration.ofMillis(300);

    private static EventLoops loops;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void startLoops() {
        loops = EventLoops.create(2);
    }

    @AfterAll
    static void stopLoops() {
        loops.close();
    }

    @AfterEach
    void closeResources() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    @Test
    void datagramsOfRandomSizesFromManyClientsReturnByteExactToTheirSender() throws Exception {
        UdpEchoServer a = tagged(1);
        UdpEchoServer b = tagged(2);
        ServiceHandle handle = handle(spec(UdpSettings.DEFAULTS), backends(a, b));
        UdpServiceListener listener = bind(handle);
        int clients = 20;
        int perClient = 500;

        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> tags = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int seed = 4242 + c;
                tags.add(pool.submit(() -> exchangeRandom(listener.localAddress(), new Random(seed), perClient)));
            }
            Map<Integer, Integer> clientsPerBackend = new HashMap<>();
            for (Future<Integer> f : tags) {
                clientsPerBackend.merge(f.get(25, TimeUnit.SECONDS), 1, Integer::sum);
            }
            // Round robin over 20 new sessions: exactly half pinned to each backend.
            assertThat(clientsPerBackend).containsOnlyKeys(1, 2).containsEntry(1, 10).containsEntry(2, 10);
        } finally {
            pool.shutdownNow();
        }
        ServiceMetrics m = handle.metrics();
        long total = (long) clients * perClient;
        assertThat(a.datagrams() + b.datagrams()).isEqualTo(total);
        assertThat(m.datagramsToBackend()).isEqualTo(total);
        assertThat(m.datagramsToClient()).isEqualTo(total);
        assertThat(m.sessionsCreated()).isEqualTo(clients);
        assertThat(m.sessionsActive()).isEqualTo(clients);
        assertThat(listener.activeSessions()).isEqualTo(clients);
        assertThat(m.bytesToBackend()).isEqualTo(a.bytes() + b.bytes());
        assertThat(m.bytesToClient()).isEqualTo(m.bytesToBackend() + UdpEchoServer.TAG_BYTES * total);
    }

    /** One client's paced exchange (window of one); returns the single backend id that answered all of it. */
    private static int exchangeRandom(InetSocketAddress proxy, Random random, int count) {
        Set<Integer> tags = new HashSet<>();
        try (UdpTestClient client = new UdpTestClient(proxy)) {
            for (int i = 0; i < count; i++) {
                byte[] payload = new byte[1 + random.nextInt(1400)];
                random.nextBytes(payload);
                byte[] reply = client.request(payload, REPLY, 1);
                assertThat(reply).as("reply %d of client %s", i, client.localAddress()).isNotNull();
                assertThat(reply).hasSize(payload.length + UdpEchoServer.TAG_BYTES);
                assertThat(UdpEchoServer.payloadOf(reply)).isEqualTo(payload);
                tags.add(UdpEchoServer.tagOf(reply));
            }
            assertThat(client.strayReplies()).as("misrouted or duplicated replies").isZero();
            assertThat(client.retransmits()).isZero();
        }
        assertThat(tags).as("backends that served one session").hasSize(1);
        return tags.iterator().next();
    }

    @Test
    void idleSessionsExpireAndTheClientGetsANewOneLater() {
        UdpEchoServer a = tagged(1);
        ServiceHandle handle = handle(spec(UdpSettings.DEFAULTS.withSessionIdleTimeout(Duration.ofMillis(300))),
                backends(a));
        UdpServiceListener listener = bind(handle);
        List<UdpTestClient> clients = clients(listener, 5);
        for (UdpTestClient c : clients) {
            assertThat(c.request(payload(1, 64), REPLY, 1)).isNotNull();
        }
        long lastReply = System.nanoTime();
        ServiceMetrics m = handle.metrics();

        await().atMost(Duration.ofSeconds(5)).until(() -> m.sessionsActive() == 0);
        long idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastReply);
        assertThat(idleMillis).as("sessions must not expire before the idle timeout").isGreaterThanOrEqualTo(250);
        assertThat(m.sessionsExpired()).isEqualTo(5);
        assertThat(listener.activeSessions()).isZero();

        assertThat(clients.get(0).request(payload(2, 64), REPLY, 1)).isNotNull();
        assertThat(m.sessionsCreated()).isEqualTo(6);
        assertThat(m.sessionsActive()).isEqualTo(1);
    }

    /**
     * Time as the session sees it is a {@link ManualClock}: 60% of the idle timeout passes between datagrams, five
     * times over (three timeouts in all), and the session lives; then a whole timeout passes without one and it ends.
     * The real scheduler wakes the idle check meanwhile, so a slow machine can delay the end but never cause it.
     */
    @Test
    void aSessionWithTrafficOutlivesManyIdleTimeouts() {
        UdpEchoServer a = tagged(1);
        Duration timeout = Duration.ofMillis(100);
        ManualClock clock = new ManualClock();
        ServiceHandle handle = handle(spec(UdpSettings.DEFAULTS.withSessionIdleTimeout(timeout)), backends(a));
        UdpServiceListener listener = bind(handle, clock);
        UdpTestClient client = clients(listener, 1).get(0);
        ServiceMetrics m = handle.metrics();
        for (int i = 0; i < 5; i++) {
            assertThat(client.request(payload(i, 32), REPLY, 1)).isNotNull();
            clock.advance(timeout.multipliedBy(6).dividedBy(10));
            // Real time for the idle check to wake up and look at the clock.
            sleepMillis(2 * timeout.toMillis());
            assertThat(m.sessionsExpired()).as("after datagram %d", i).isZero();
        }
        assertThat(m.sessionsCreated()).isEqualTo(1);

        clock.advance(timeout);
        await().atMost(Duration.ofSeconds(5)).until(() -> m.sessionsExpired() == 1);
        assertThat(m.sessionsActive()).isZero();
    }

    @Test
    void aFullTableRefusesNewClientsAndKeepsServingTheOthers() {
        UdpEchoServer a = tagged(1);
        ServiceHandle handle = handle(spec(UdpSettings.DEFAULTS.withMaxSessions(5)), backends(a));
        UdpServiceListener listener = bind(handle);
        List<UdpTestClient> admitted = clients(listener, 5);
        for (UdpTestClient c : admitted) {
            assertThat(c.request(payload(1, 100), REPLY, 1)).isNotNull();
        }
        UdpTestClient refused = clients(listener, 1).get(0);
        long before = a.datagrams();
        refused.send(payload(9, 100));
        assertThat(refused.receive(SILENCE)).isNull();
        ServiceMetrics m = handle.metrics();
        await().atMost(REPLY).until(() -> m.failures(FailureReason.SESSION_LIMIT) == 1);
        assertThat(a.datagrams()).isEqualTo(before);
        assertThat(m.sessionsActive()).isEqualTo(5);

        for (UdpTestClient c : admitted) {
            assertThat(c.request(payload(2, 100), REPLY, 1)).isNotNull();
        }
        assertThat(m.sessionsCreated()).isEqualTo(5);
        assertThat(listener.activeSessions()).isEqualTo(5);
    }

    @Test
    void aFloodOfNewSourcePortsNeverGrowsTheTablePastItsCap() {
        UdpEchoServer a = tagged(1);
        ServiceHandle handle = handle(spec(UdpSettings.DEFAULTS.withMaxSessions(100)), backends(a));
        UdpServiceListener listener = bind(handle);
        UdpTestClient established = clients(listener, 1).get(0);
        assertThat(established.request(payload(0, 50), REPLY, 1)).isNotNull();
        ServiceMetrics m = handle.metrics();
        int peak = 0;
        int sent = 0;
        for (int batch = 0; batch < 6; batch++) {
            for (UdpTestClient client : clients(listener, 50)) {
                client.send(payload(batch, 50));
                sent++;
            }
            int expected = sent;
            // Batches of 50 keep the burst inside the sockets' receive buffers, so every datagram is accounted for.
            await().atMost(Duration.ofSeconds(5)).until(
                    () -> m.sessionsCreated() - 1 + m.failures(FailureReason.SESSION_LIMIT) == expected);
            peak = Math.max(peak, m.sessionsActive());
            assertThat(established.request(payload(100 + batch, 50), REPLY, 1)).isNotNull();
        }
        assertThat(peak).isEqualTo(100);
        assertThat(m.sessionsActive()).isEqualTo(100);
        assertThat(listener.activeSessions()).isEqualTo(100);
        assertThat(m.failures(FailureReason.SESSION_LIMIT)).isEqualTo(300 - 99);
        assertThat(a.datagrams()).as("only admitted datagrams reach the backend").isEqualTo(1 + 99 + 6);
    }

    @Test
    void slotsFreedByExpiryAdmitNewClients() {
        UdpEchoServer a = tagged(1);
        UdpSettings udp = UdpSettings.DEFAULTS.withMaxSessions(2).withSessionIdleTimeout(Duration.ofMillis(300));
        ServiceHandle handle = handle(spec(udp), backends(a));
        UdpServiceListener listener = bind(handle);
        List<UdpTestClient> clients = clients(listener, 3);
        assertThat(clients.get(0).request(payload(1, 10), REPLY, 1)).isNotNull();
        assertThat(clients.get(1).request(payload(1, 10), REPLY, 1)).isNotNull();
        clients.get(2).send(payload(1, 10));
        assertThat(clients.get(2).receive(SILENCE)).isNull();
        ServiceMetrics m = handle.metrics();
        assertThat(m.failures(FailureReason.SESSION_LIMIT)).isEqualTo(1);

        await().atMost(Duration.ofSeconds(5)).until(() -> m.sessionsActive() == 0);
        assertThat(clients.get(2).request(payload(2, 10), REPLY, 1)).isNotNull();
        assertThat(m.sessionsActive()).isEqualTo(1);
    }

    @Test
    void sessionsOfAStoppedBackendMoveToTheOtherAfterOneLostDatagram() {
        UdpEchoServer a = tagged(1);
        UdpEchoServer b = tagged(2);
        ServiceHandle handle = handle(spec(UdpSettings.DEFAULTS), backends(a, b));
        UdpServiceListener listener = bind(handle);
        List<UdpTestClient> clients = clients(listener, 10);
        Map<UdpTestClient, Integer> pinned = new HashMap<>();
        for (UdpTestClient c : clients) {
            pinned.put(c, UdpEchoServer.tagOf(c.request(payload(1, 200), REPLY, 1)));
        }
        assertThat(pinned.values()).contains(1, 2);
        long onA = pinned.values().stream().filter(t -> t == 1).count();

        a.stop();
        for (UdpTestClient c : clients) {
            for (int i = 0; i < 20; i++) {
                byte[] reply = c.request(payload(100 + i, 200), Duration.ofMillis(300), 5);
                assertThat(reply).as("request %d of %s", i, c.localAddress()).isNotNull();
                assertThat(UdpEchoServer.tagOf(reply)).isEqualTo(2);
            }
            // Only the datagram that met the closed port is lost; the retransmission already reaches b.
            assertThat(c.retransmits()).as("retransmits of %s", c.localAddress())
                    .isEqualTo(pinned.get(c) == 1 ? 1 : 0);
        }
        ServiceMetrics m = handle.metrics();
        assertThat(m.failures(FailureReason.BACKEND_UNREACHABLE)).isEqualTo(onA);
        assertThat(m.sessionsCreated()).isEqualTo(10);
    }

    @Test
    void removedOrIneligibleBackendsAreLeftOnTheSessionsNextDatagram() {
        UdpEchoServer a = tagged(1);
        UdpEchoServer b = tagged(2);
        UdpEchoServer c = tagged(3);
        List<Backend> all = backends(a, b, c);
        ServiceSpec spec = spec(UdpSettings.DEFAULTS);
        ServiceHandle handle = handle(spec, all);
        UdpServiceListener listener = bind(handle);
        List<UdpTestClient> clients = clients(listener, 6);
        Map<UdpTestClient, Integer> pinned = new HashMap<>();
        for (UdpTestClient client : clients) {
            pinned.put(client, UdpEchoServer.tagOf(client.request(payload(1, 50), REPLY, 1)));
        }
        assertThat(new HashSet<>(pinned.values())).containsExactlyInAnyOrder(1, 2, 3);

        // Discovery removes a: its server still runs, so only re-pinning keeps traffic away from it.
        all.get(0).markRemoved();
        handle.publish(snapshot(2, spec, List.of(all.get(1), all.get(2))));
        long aBefore = a.datagrams();
        Map<UdpTestClient, Integer> afterRemoval = exchangeOnce(clients, 2);
        assertThat(a.datagrams()).isEqualTo(aBefore);
        for (UdpTestClient client : clients) {
            int before = pinned.get(client);
            if (before == 1) {
                assertThat(afterRemoval.get(client)).isIn(2, 3);
            } else {
                assertThat(afterRemoval.get(client)).as("sessions on kept backends stay put").isEqualTo(before);
            }
        }

        // b turns unhealthy: still in discovery (not removed) but no longer eligible.
        handle.publish(snapshot(3, spec, List.of(all.get(2))));
        long bBefore = b.datagrams();
        Map<UdpTestClient, Integer> afterIneligible = exchangeOnce(clients, 3);
        assertThat(b.datagrams()).isEqualTo(bBefore);
        assertThat(afterIneligible.values()).containsOnly(3);
        assertThat(handle.metrics().sessionsCreated()).isEqualTo(6);
        for (UdpTestClient client : clients) {
            assertThat(client.retransmits()).isZero();
        }
    }

    @Test
    void sessionsOnATerminatingBackendStayUntilItsDrainDeadlineThenMove() {
        UdpEchoServer a = tagged(1);
        UdpEchoServer b = tagged(2);
        List<Backend> all = backends(a, b);
        ServiceSpec spec = spec(UdpSettings.DEFAULTS);
        ServiceHandle handle = handle(spec, all);
        UdpServiceListener listener = bind(handle);
        List<UdpTestClient> clients = clients(listener, 4);
        Map<UdpTestClient, Integer> pinned = exchangeOnce(clients, 1);
        assertThat(new HashSet<>(pinned.values())).containsExactlyInAnyOrder(1, 2);

        // b turns terminating (Kubernetes: its pod is shutting down): no new session goes there, old ones finish.
        Backend terminating = all.get(1);
        terminating.update(terminating.endpoint().withConditions(false, true, true));
        handle.publish(snapshot(2, spec, List.of(all.get(0))));
        assertThat(exchangeOnce(clients, 2)).as("sessions stay where they were").isEqualTo(pinned);
        try (UdpTestClient fresh = new UdpTestClient(listener.localAddress())) {
            assertThat(UdpEchoServer.tagOf(fresh.request(payload(2, 50), REPLY, 1))).as("a new session").isEqualTo(1);
        }

        // The drain deadline passes: the sessions still there move, at their next datagram.
        terminating.markDrainExpired();
        assertThat(exchangeOnce(clients, 3).values()).containsOnly(1);
    }

    private static Map<UdpTestClient, Integer> exchangeOnce(List<UdpTestClient> clients, int round) {
        Map<UdpTestClient, Integer> tags = new HashMap<>();
        for (UdpTestClient client : clients) {
            byte[] reply = client.request(payload(round, 50), REPLY, 1);
            assertThat(reply).as("round %d reply of %s", round, client.localAddress()).isNotNull();
            tags.put(client, UdpEchoServer.tagOf(reply));
        }
        return tags;
    }

    @Test
    void oversizeDatagramsAreDroppedAndCountedInBothDirections() {
        UdpEchoServer plain = plain();
        UdpSettings udp = UdpSettings.DEFAULTS.withMaxDatagramSize(1000);
        ServiceHandle handle = handle(spec(udp), backends(plain));
        UdpServiceListener listener = bind(handle);
        UdpTestClient client = clients(listener, 1).get(0);
        ServiceMetrics m = handle.metrics();

        client.send(payload(1, 1001));
        assertThat(client.receive(SILENCE)).isNull();
        assertThat(m.failures(FailureReason.OVERSIZE_DATAGRAM)).isEqualTo(1);
        assertThat(plain.datagrams()).isZero();
        // Far larger than the receive slot: the kernel truncates it to the slot, which still marks it oversize.
        client.send(payload(1, 5000));
        assertThat(client.receive(SILENCE)).isNull();
        assertThat(m.failures(FailureReason.OVERSIZE_DATAGRAM)).isEqualTo(2);
        byte[] max = payload(2, 1000);
        assertThat(client.request(max, REPLY, 1)).isEqualTo(max);

        // A burst read in one batch (recvmmsg on epoll): every slot is checked on its own.
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            byte[] p = payload(10 + i, i % 2 == 0 ? 1000 : 1001);
            if (p.length == 1000) {
                expected.add(hex(p));
            }
            client.send(p);
        }
        Set<String> received = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            byte[] reply = client.receive(REPLY);
            assertThat(reply).as("burst reply %d", i).isNotNull().hasSize(1000);
            received.add(hex(reply));
        }
        assertThat(client.receive(SILENCE)).isNull();
        assertThat(received).isEqualTo(expected);
        assertThat(m.failures(FailureReason.OVERSIZE_DATAGRAM)).isEqualTo(7);
        assertThat(plain.datagrams()).isEqualTo(6);

        // Replies are held to the same limit: a tagged echo of 998 bytes is 1002 bytes long.
        UdpEchoServer tagged = tagged(7);
        ServiceHandle taggedHandle = handle(spec(udp), backends(tagged));
        UdpTestClient second = clients(bind(taggedHandle), 1).get(0);
        second.send(payload(3, 998));
        assertThat(second.receive(SILENCE)).isNull();
        await().atMost(REPLY).until(() -> taggedHandle.metrics().failures(FailureReason.OVERSIZE_DATAGRAM) == 1);
        byte[] fits = payload(4, 996);
        byte[] reply = second.request(fits, REPLY, 1);
        assertThat(reply).hasSize(1000);
        assertThat(UdpEchoServer.payloadOf(reply)).isEqualTo(fits);
    }

    @Test
    void withNoEndpointDatagramsAreDroppedThenReachANewEndpointFromTheSamePort() {
        UdpEchoServer a = tagged(1);
        List<Backend> first = backends(a);
        ServiceSpec spec = spec(UdpSettings.DEFAULTS);
        ServiceHandle handle = handle(spec, first);
        UdpServiceListener listener = bind(handle);
        List<UdpTestClient> clients = clients(listener, 2);
        UdpTestClient existing = clients.get(0);
        UdpTestClient newcomer = clients.get(1);
        InetSocketAddress port = existing.localAddress();
        assertThat(UdpEchoServer.tagOf(existing.request(payload(1, 80), REPLY, 1))).isEqualTo(1);
        ServiceMetrics m = handle.metrics();

        first.get(0).markRemoved();
        handle.publish(snapshot(2, spec, List.of()));
        existing.send(payload(2, 80));
        assertThat(existing.receive(SILENCE)).isNull();
        newcomer.send(payload(3, 80));
        assertThat(newcomer.receive(SILENCE)).isNull();
        assertThat(m.failures(FailureReason.NO_HEALTHY_ENDPOINT)).isEqualTo(2);
        assertThat(a.datagrams()).isEqualTo(1);
        assertThat(m.sessionsCreated()).as("no session for a client refused during the outage").isEqualTo(1);

        UdpEchoServer b = tagged(2);
        handle.publish(snapshot(3, spec, backends(b)));
        assertThat(UdpEchoServer.tagOf(existing.request(payload(4, 80), REPLY, 1))).isEqualTo(2);
        assertThat(existing.localAddress()).isEqualTo(port);
        assertThat(m.sessionsCreated()).as("the existing session was kept").isEqualTo(1);
        assertThat(UdpEchoServer.tagOf(newcomer.request(payload(5, 80), REPLY, 1))).isEqualTo(2);
        assertThat(m.sessionsCreated()).isEqualTo(2);
    }

    @Test
    void aNativeTransportBindsOneReusePortSocketPerWorkerLoop() {
        assumeTrue(Transports.isNative(), "a native transport (epoll or io_uring) in use");
        Class<?> expected = Transports.ioUring() ? IoUringDatagramChannel.class : EpollDatagramChannel.class;
        UdpEchoServer a = tagged(1);
        ServiceHandle handle = handle(spec(UdpSettings.DEFAULTS), backends(a));
        UdpServiceListener listener = bind(handle);
        List<DatagramChannel> channels = listener.channels();
        assertThat(channels).hasSize(loops.workerThreads()).allMatch(expected::isInstance);
        Set<EventLoop> distinctLoops = new HashSet<>();
        for (DatagramChannel ch : channels) {
            assertThat(ch.localAddress().getPort()).isEqualTo(listener.localAddress().getPort());
            distinctLoops.add(ch.eventLoop());
        }
        assertThat(distinctLoops).hasSize(loops.workerThreads());
        for (UdpTestClient client : clients(listener, 20)) {
            assertThat(client.request(payload(1, 20), REPLY, 1)).isNotNull();
        }
        assertThat(listener.activeSessions()).isEqualTo(20);
    }

    @Test
    void closingTheListenerClosesItsSessions() {
        UdpEchoServer a = tagged(1);
        List<Backend> backends = backends(a);
        ServiceHandle handle = handle(spec(UdpSettings.DEFAULTS), backends);
        UdpServiceListener listener = bind(handle);
        for (UdpTestClient client : clients(listener, 3)) {
            assertThat(client.request(payload(1, 20), REPLY, 1)).isNotNull();
        }
        ServiceMetrics m = handle.metrics();
        assertThat(m.sessionsActive()).isEqualTo(3);
        assertThat(backends.get(0).activeConnections()).as("sessions count as the backend's connections").isEqualTo(3);
        listener.close();
        assertThat(backends.get(0).activeConnections()).isZero();
        assertThat(m.sessionsActive()).isZero();
        assertThat(m.sessionsExpired()).isZero();
        assertThat(listener.activeSessions()).isZero();
        assertThat(listener.channels()).noneMatch(DatagramChannel::isOpen);
        listener.close();
    }

    // ---- fixtures

    private static ServiceSpec spec(UdpSettings udp) {
        return ServiceSpec.of(ServiceKey.of("dns", Protocol.UDP), new InetSocketAddress("127.0.0.1", 0),
                LbPolicy.ROUND_ROBIN).withUdp(udp);
    }

    private static ServiceSnapshot snapshot(long version, ServiceSpec spec, List<Backend> eligible) {
        return ServiceSnapshot.ofEligible(version, spec, eligible, Pickers.create(spec, eligible, null));
    }

    private static ServiceHandle handle(ServiceSpec spec, List<Backend> backends) {
        return new ServiceHandle(snapshot(1, spec, backends));
    }

    private static List<Backend> backends(UdpEchoServer... servers) {
        List<Backend> list = new ArrayList<>();
        for (UdpEchoServer s : servers) {
            list.add(new Backend(Endpoint.of("127.0.0.1", s.port())));
        }
        return list;
    }

    private UdpServiceListener bind(ServiceHandle handle) {
        return bind(handle, NanoClock.COARSE);
    }

    private UdpServiceListener bind(ServiceHandle handle, NanoClock clock) {
        UdpServiceListener listener = (UdpServiceListener) new UdpListenerFactory(loops, clock).bind(handle);
        resources.add(listener);
        return listener;
    }

    private UdpEchoServer tagged(int id) {
        UdpEchoServer server = UdpEchoServer.tagged(id);
        resources.add(server);
        return server;
    }

    private UdpEchoServer plain() {
        UdpEchoServer server = UdpEchoServer.plain();
        resources.add(server);
        return server;
    }

    private List<UdpTestClient> clients(UdpServiceListener listener, int n) {
        List<UdpTestClient> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            UdpTestClient client = new UdpTestClient(listener.localAddress());
            resources.add(client);
            list.add(client);
        }
        return list;
    }

    /** Deterministic content, distinct per seed. */
    private static byte[] payload(int seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed * 31L + size).nextBytes(bytes);
        return bytes;
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
