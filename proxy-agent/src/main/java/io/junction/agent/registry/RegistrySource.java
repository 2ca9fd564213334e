package io.junction.agent.registry;

import io.junction.agent.config.ConfiguredServices;
import io.junction.agent.config.SourceContext;
import io.junction.agent.registry.api.AddressPolicy;
import io.junction.agent.registry.api.ApiException;
import io.junction.agent.registry.api.BlockingQueries;
import io.junction.agent.registry.api.NodeInfo;
import io.junction.agent.registry.api.RegistrationReader;
import io.junction.agent.registry.api.RegistryApi;
import io.junction.agent.registry.api.Refusal;
import io.junction.agent.registry.http.RegistryServer;
import io.junction.agent.registry.persist.StateCodec;
import io.junction.agent.registry.persist.StateFile;
import io.junction.agent.registry.persist.StateWriter;
import io.junction.agent.registry.store.Check;
import io.junction.agent.registry.store.CheckRunner;
import io.junction.agent.registry.store.Instance;
import io.junction.agent.registry.store.RegistryStore;
import io.junction.core.discovery.DiscoveryListener;
import io.junction.core.discovery.DiscoverySource;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.forward.Transports;
import io.junction.core.model.Endpoint;
import io.junction.core.model.HostPort;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The local service registry as a discovery source ({@code discovery.registry}): a Consul-compatible agent API on
 * its own address, whose registered instances become endpoints of the service with the same name.
 *
 * <p><b>Routing rule.</b> An instance of Consul service {@code N} is an endpoint of every service the config file
 * names {@code N} in namespace {@code default} (whatever its protocol and port name: {@code web} over TCP, UDP, or
 * both); when the config names none, of {@code default/N/tcp}, which then shows as unserved until the config gives it
 * a {@code listen}. An instance is ready when all its checks pass (an instance without checks passes), exactly the
 * instances Consul's {@code /v1/health/service/N?passing} returns: {@code warning} is not passing.
 *
 * <p><b>Threads.</b> The store, the API, the check timers and the blocking queries are confined to one event loop of
 * the registry's own (the HTTP server runs there too); probes run on the agent's worker loops and hand their results
 * over; the state file is written by a background thread. Every change is delivered to the listener as a full
 * replace from the loop (the controller's change tracker collapses what did not change).
 *
 * <p>Thread-safe: {@link #start} and {@link #close} may be called from any thread; {@link #view()} too.
 */
public final class RegistrySource implements DiscoverySource {
    public static final String NAME = "registry";
    static final long WRITE_DEBOUNCE_MS = 100;
    static final long BIND_RETRY_SECONDS = 5;

    private static final Logger log = LoggerFactory.getLogger(RegistrySource.class);

    private final RegistrySettings settings;
    private final SourceContext context;
    private final ConfiguredServices configured;
    private final StateFile stateFile;
    private final StateWriter writer;
    private final RegistryMetrics metrics;
    private final String listenText;
    private volatile RegistryView view;

    // Loop-confined from start on.
    private EventLoopGroup group;
    private EventLoop loop;
    private RegistryStore store;
    private CheckRunner checks;
    private BlockingQueries blocking;
    private RegistryApi api;
    private volatile RegistryServer server;
    /** Completed by the first bind attempt, so {@link #start} returns with the API answering (or known not to). */
    private final java.util.concurrent.CompletableFuture<Void> firstBind = new java.util.concurrent.CompletableFuture<>();
    private DiscoveryListener listener;
    private ScheduledFuture<?> pendingWrite;
    private ScheduledFuture<?> bindRetry;
    private boolean bindFailing;
    private boolean closed;

    public RegistrySource(RegistrySettings settings, SourceContext context) {
        this.settings = settings;
        this.context = context;
        this.configured = context.configured();
        this.stateFile = new StateFile(settings.stateFile(), context.clock());
        this.writer = new StateWriter(stateFile);
        this.listenText = HostPort.format(settings.listen());
        this.view = RegistryView.empty(listenText);
        this.metrics = new RegistryMetrics(context.metrics(), () -> view,
                () -> blocking == null ? 0 : blocking.held());
    }

    @Override
    public String name() {
        return NAME;
    }

    /** What the registry holds now, for the admin API; readable from any thread. */
    public RegistryView view() {
        return view;
    }

    /** The API's bound address, or null while it is not bound. */
    public InetSocketAddress boundAddress() {
        RegistryServer s = server;
        return s == null ? null : s.localAddress();
    }

    @Override
    public void start(DiscoveryListener discoveryListener) {
        group = Transports.newEventLoopGroup(1, "junction-registry");
        loop = group.next();
        loop.submit(() -> startOnLoop(discoveryListener)).syncUninterruptibly();
        try {
            firstBind.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("registry=bind_slow address={} waited=5s", listenText);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        configured.onChange(() -> loop.execute(this::deliver));
    }

    private void startOnLoop(DiscoveryListener discoveryListener) {
        listener = discoveryListener;
        checks = new CheckRunner(loop, context.workers());
        store = new RegistryStore(this::changed, checks);
        checks.attach(store);
        blocking = new BlockingQueries(loop);
        AddressPolicy policy = new AddressPolicy(settings.allowedCidrs(), settings.allowLoopback(),
                settings.allowLinkLocal());
        RegistrationReader reader = new RegistrationReader(policy);
        NodeInfo node = NodeInfo.of(hostName(), nodeAddress(settings.listen().getAddress()));
        api = new RegistryApi(store, reader, blocking, node, listenText, settings.token(), this::refused,
                "junction-" + io.junction.agent.Version.get());
        restore(reader);
        prepareStateDirectory();
        bind();
        deliver();
    }

    private void restore(RegistrationReader reader) {
        StateCodec.Loaded loaded = stateFile.load();
        store.restoreIndex(loaded.index());
        int restored = 0;
        for (byte[] service : loaded.services()) {
            try {
                store.register(reader.read(service, InetAddress.getLoopbackAddress()), true);
                restored++;
            } catch (ApiException e) {
                log.warn("registry=state_entry_skipped file={} reason=\"{}\"", stateFile.path(), e.getMessage());
            }
        }
        store.restoreIndex(loaded.index());
        log.info("registry=restored file={} instances={} index={}", stateFile.path(), restored, store.index());
    }

    private void prepareStateDirectory() {
        Path dir = stateFile.path().getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            log.warn("registry=state_dir_unusable dir={} error=\"{}\" persistence=retried_on_change", dir,
                    e.toString());
        }
    }

    private void bind() {
        if (closed) {
            return;
        }
        RegistryServer.start(settings.listen(), loop, api, settings.maxBodySize(), settings.requestsPerSecond(),
                settings.burst(), this::refused, (bound, failure) -> {
                    firstBind.complete(null);
                    if (bound != null && closed) {
                        bound.close();
                    } else if (bound != null) {
                        server = bound;
                        log.info("registry=listening address={} state_file={} token={} allowed_cidrs={} loopback={} "
                                        + "link_local={}", HostPort.format(bound.localAddress()), stateFile.path(),
                                settings.token() != null, settings.allowedCidrs(), settings.allowLoopback(),
                                settings.allowLinkLocal());
                    } else if (!closed) {
                        bindFailed(failure);
                    }
                });
    }

    /** Like a listener that cannot bind, a busy registry address is retried; routing from the state file goes on. */
    private void bindFailed(Throwable failure) {
        if (!bindFailing) {
            bindFailing = true;
            log.warn("registry=bind_failed address={} error=\"{}\" retry_every={}s", listenText, failure.toString(),
                    BIND_RETRY_SECONDS);
            listener.onError(NAME, "cannot bind " + listenText + ": " + failure.getMessage(), failure);
        }
        bindRetry = loop.schedule(this::bind, BIND_RETRY_SECONDS, TimeUnit.SECONDS);
    }

    private void refused(Refusal reason) {
        metrics.refused(reason);
    }

    /** Store listener: a change happened (on the loop). */
    private void changed(Set<String> names) {
        if (api == null || listener == null) {
            return; // restoring at start: delivered once at the end
        }
        deliver();
        blocking.changed();
        scheduleWrite();
    }

    /** Hands the whole registry to the controller as one replace, and republishes the view. */
    private void deliver() {
        if (closed || listener == null) {
            return;
        }
        view = RegistryView.of(listenText, store);
        Map<String, List<Instance>> byName = new LinkedHashMap<>();
        for (Instance i : store.instances()) {
            byName.computeIfAbsent(i.name(), n -> new ArrayList<>()).add(i);
        }
        Map<ServiceKey, ServiceDefinition> services = new LinkedHashMap<>();
        byName.forEach((name, instances) -> {
            List<Endpoint> endpoints = endpoints(instances);
            List<ServiceKey> keys = configured.keysNamed(ServiceKey.DEFAULT_NAMESPACE, name);
            if (keys.isEmpty()) {
                keys = List.of(ServiceKey.of(name, Protocol.TCP));
            }
            for (ServiceKey k : keys) {
                services.put(k, ServiceDefinition.of(k, endpoints));
            }
        });
        listener.onReplace(NAME, services);
    }

    private List<Endpoint> endpoints(List<Instance> instances) {
        Map<InetSocketAddress, Endpoint> out = new LinkedHashMap<>();
        for (Instance i : instances) {
            boolean ready = store.statusOf(i.id()) == io.junction.agent.registry.store.CheckStatus.PASSING;
            InetSocketAddress a = new InetSocketAddress(i.address(), i.port());
            Endpoint e = Endpoint.of(a).withConditions(ready, ready, false);
            // Two instances at one address: the address is ready when either is.
            out.merge(a, e, (x, y) -> x.ready() ? x : y);
        }
        return List.copyOf(out.values());
    }

    private void scheduleWrite() {
        if (pendingWrite != null) {
            return;
        }
        pendingWrite = loop.schedule(() -> {
            pendingWrite = null;
            writer.submit(encode());
        }, WRITE_DEBOUNCE_MS, TimeUnit.MILLISECONDS);
    }

    private byte[] encode() {
        Map<String, List<Check>> byService = new LinkedHashMap<>();
        for (Check c : store.checks()) {
            byService.computeIfAbsent(c.spec().serviceId(), s -> new ArrayList<>()).add(c);
        }
        return StateCodec.encode(store.index(), store.instances(), byService);
    }

    @Override
    public void close() {
        if (group == null) {
            writer.close();
            return;
        }
        byte[][] last = new byte[1][];
        try {
            loop.submit(() -> {
                if (closed) {
                    return;
                }
                closed = true;
                if (bindRetry != null) {
                    bindRetry.cancel(false);
                }
                blocking.releaseAll();
                if (server != null) {
                    server.close();
                }
                checks.close();
                if (pendingWrite != null) {
                    pendingWrite.cancel(false);
                    pendingWrite = null;
                    last[0] = encode();
                }
            }).syncUninterruptibly();
        } catch (RuntimeException e) {
            log.warn("registry=close_failed error=\"{}\"", e.toString());
        }
        writer.close(last[0]);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The host name from the environment or /etc/hostname; never a DNS query. */
    static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            String s = Files.readString(Path.of("/etc/hostname")).trim();
            if (!s.isEmpty()) {
                return s;
            }
        } catch (IOException | RuntimeException e) {
            // No /etc/hostname (a container without one): fall through to the default.
        }
        return "junction";
    }

    private static String nodeAddress(InetAddress listen) {
        return listen.isAnyLocalAddress() ? "127.0.0.1" : NetUtil.toAddressString(listen);
    }
}
