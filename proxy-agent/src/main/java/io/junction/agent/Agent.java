package io.junction.agent;

import ch.qos.logback.classic.Level;
import io.junction.agent.admin.AdminRoutes;
import io.junction.agent.admin.AdminServer;
import io.junction.agent.config.AgentConfig;
import io.junction.agent.config.ConfiguredServices;
import io.junction.agent.config.DiscoveryBlock;
import io.junction.agent.config.SourceContext;
import io.junction.agent.discovery.file.FileSource;
import io.junction.agent.node.NodeMode;
import io.junction.agent.registry.RegistrySource;
import io.junction.core.discovery.DiscoverySource;
import io.junction.core.forward.EventLoops;
import io.junction.core.health.HealthBoard;
import io.junction.core.state.ListenerFactory;
import io.junction.core.forward.Transports;
import io.junction.core.forward.tcp.AccessLog;
import io.junction.core.forward.DescriptorBudget;
import io.junction.core.forward.tcp.TcpListenerFactory;
import io.junction.core.forward.udp.UdpListenerFactory;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.state.ProxyController;
import io.junction.core.state.ServiceSnapshot;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One running agent: event loops, the control plane fed by the config file, the TCP and UDP listeners it binds, and
 * the admin server. Owns the start and stop order:
 * <ol>
 *   <li>start: metrics, event loops, controller + file source; wait until every source synced and the listeners are
 *       bound; then the admin server (so {@code /readyz} never lies);</li>
 *   <li>stop: stop accepting (listeners closed, sources stopped), let live connections finish for the configured
 *       drain timeout, close what is left, then the admin server and the event loops.</li>
 * </ol>
 *
 * <p>Thread-safe: {@link #shutdown()} may be called from a signal handler thread; it runs once.
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    /** Coalescing interval of discovery changes: at most this many data-plane swaps per second is 1000/this. */
    private static final long MIN_SYNC_INTERVAL_MS = 50;

    private final AgentConfig config;
    private final PrometheusMeterRegistry registry;
    private final EventLoops loops;
    private final ProxyController controller;
    private final HealthBoard health;
    private final FileSource fileSource;
    private final AdminServer admin;
    private final NodeMode nodeMode;
    private final Object shutdownLock = new Object();
    private boolean shutDown;

    private Agent(AgentConfig config, PrometheusMeterRegistry registry, EventLoops loops, ProxyController controller,
                  HealthBoard health, FileSource fileSource, AdminServer admin, NodeMode nodeMode) {
        this.config = config;
        this.registry = registry;
        this.loops = loops;
        this.controller = controller;
        this.health = health;
        this.fileSource = fileSource;
        this.admin = admin;
        this.nodeMode = nodeMode;
    }

    /**
     * Starts an agent on {@code configFile}, whose content was already validated into {@code config}, and waits up
     * to {@code startTimeout} for every source to sync and the listeners to bind. A source still unsynced then does
     * not fail the start: the agent runs not ready, and starts serving when the source syncs.
     *
     * @throws RuntimeException when the admin server cannot bind, or a service's listener is refused for lack of
     *                          permission (a port below {@code ip_unprivileged_port_start} without CAP_NET_BIND_SERVICE)
     */
    public static Agent start(Path configFile, AgentConfig config, Duration startTimeout) {
        long t0 = System.nanoTime();
        setAccessLog(config.accessLog());
        AccessLog.format(config.accessLogFormat());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        bindProcessMetrics(registry);
        EventLoops loops = EventLoops.create(config.workerThreads(),
                TimeUnit.MICROSECONDS.toNanos(config.workerYieldMicros()));
        DescriptorBudget budget = DescriptorBudget.ofProcess();
        log.info("descriptors=budget limit={} reserve={} max_tcp_connections={}", budget.limit(), budget.reserve(),
                budget.connectionCap());
        bindDescriptorMetrics(registry, budget);
        Map<Protocol, ListenerFactory> factories = Map.of(
                Protocol.TCP, new TcpListenerFactory(loops, budget),
                Protocol.UDP, new UdpListenerFactory(loops));
        ProxyController controller = new ProxyController(factories, loops.connections(), registry,
                MIN_SYNC_INTERVAL_MS);
        // Probes and ejection timers run on the workers: they are a few non-blocking tasks per interval.
        HealthBoard health = new HealthBoard(loops.workers(), registry, Clock.systemUTC());
        controller.health(health);
        health.onChange(controller::healthChanged);
        FileSource fileSource = new FileSource(configFile);
        ConfiguredServices configured = ConfiguredServices.of(config);
        // Every good load hands the node's policy over before the services it applies to.
        fileSource.onConfig(good -> {
            if (!good.nodeMode().equals(config.nodeMode())) {
                log.warn("config=nodeMode_changed applies=at_restart running={}", config.nodeMode());
            }
            controller.updatePolicy(good.policy());
            configured.update(good);
        });
        // Before the controller starts: node mode sets how services listen, and replaces a stale table at once.
        NodeMode nodeMode = config.nodeMode().enabled()
                ? NodeMode.install(config.nodeMode(), controller, registry) : null;
        FunctionCounter.builder("junction.access.log.dropped", AccessLog.class, c -> AccessLog.droppedLines())
                .description("Access-log lines dropped because standard output could not keep up").register(registry);
        FunctionCounter.builder("junction.config.reloads", fileSource, FileSource::reloadCount)
                .description("Config file reloads applied").register(registry);
        FunctionCounter.builder("junction.config.reload.failures", fileSource, FileSource::failureCount)
                .description("Config file reloads rejected (the last good config kept serving)").register(registry);
        controller.addSource(fileSource);
        SourceContext sourceContext = new SourceContext(loops.workers(), registry, Clock.systemUTC(), configured);
        RegistrySource registrySource = null;
        for (DiscoveryBlock block : config.discovery()) {
            DiscoverySource source = block.create(sourceContext);
            if (source instanceof RegistrySource r) {
                registrySource = r;
            }
            controller.addSource(source);
        }
        controller.start();
        // The admin server comes up before the wait, so /readyz answers 503 with the reason (waiting for a source
        // such as the Kubernetes API) instead of not answering at all.
        AdminServer admin = null;
        if (config.adminListen() != null) {
            AdminRoutes routes = new AdminRoutes(controller, registry, Version.get(),
                    () -> configStatus(fileSource, configFile, nodeMode), health);
            if (registrySource != null) {
                // The one hook from the registry to the admin server: its published view, read per request.
                RegistrySource r = registrySource;
                routes.registryView(() -> r.view().json());
            }
            try {
                admin = AdminServer.start(config.adminListen(), routes);
            } catch (RuntimeException e) {
                closeQuietly(nodeMode);
                controller.close();
                health.close();
                loops.close();
                if (ListenPermission.isPermissionDenied(e.getMessage())) {
                    throw new IllegalStateException(ListenPermission.explain("admin server", config.adminListen(),
                            ListenPermission.unprivilegedPortStart()), e);
                }
                throw e;
            }
        }
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (!controller.listening() && System.nanoTime() < deadline) {
            sleepQuietly(5);
        }
        if (!controller.listening()) {
            // Like kube-proxy, a source that cannot be reached yet (the Kubernetes API, a registry) does not stop the
            // agent: it stays up, /readyz says what it waits for, and serving starts when the source syncs.
            log.warn("agent=waiting after={} reason=\"{}\" serving_starts=when_sources_sync", startTimeout,
                    controller.readiness().reason());
        }
        // Retrying cannot fix a listener the kernel refused for lack of privilege: stop, saying what to do.
        Optional<String> refused = ListenPermission.refusal(controller.listenerErrors(),
                key -> listenAddress(controller, key), ListenPermission.unprivilegedPortStart());
        if (refused.isPresent()) {
            new Agent(config, registry, loops, controller, health, fileSource, admin, nodeMode).shutdown();
            throw new IllegalStateException(refused.get());
        }
        warnIfLimitsExceedBudget(controller, budget);
        log.info("agent=started version={} transport={} workers={} worker_yield_us={} services={} node_mode={} "
                        + "startup_ms={}",
                Version.get(), Transports.name(), loops.workerThreads(), config.workerYieldMicros(),
                controller.snapshot().services().size(), nodeMode != null,
                (System.nanoTime() - t0) / 1_000_000);
        return new Agent(config, registry, loops, controller, health, fileSource, admin, nodeMode);
    }

    /** The address {@code key}'s service wants to listen on (as the config said; node mode's when it decides). */
    private static InetSocketAddress listenAddress(ProxyController controller, ServiceKey key) {
        ServiceSnapshot s = controller.snapshot().services().get(key);
        return s == null ? new InetSocketAddress(0) : s.spec().listen();
    }

    /**
     * One warning line when the services' {@code maxConnections} add up to more than the descriptor budget allows:
     * the budget then refuses connections those limits would let in.
     */
    private static void warnIfLimitsExceedBudget(ProxyController controller, DescriptorBudget budget) {
        long configured = 0;
        for (ServiceSnapshot s : controller.snapshot().services().values()) {
            if (s.spec().protocol() == Protocol.TCP) {
                configured += s.spec().tcp().maxConnections();
            }
        }
        if (!budget.fits(configured)) {
            log.warn("descriptors=too_few limit={} reserve={} max_tcp_connections={} configured_max_connections={} "
                            + "hint=\"raise LimitNOFILE (ulimit -n) to at least {} or lower maxConnections\"",
                    budget.limit(), budget.reserve(), budget.connectionCap(), configured,
                    DescriptorBudget.limitFor(configured));
        }
    }

    /** The node's descriptor budget, and what it refused, as metrics. */
    private static void bindDescriptorMetrics(MeterRegistry registry, DescriptorBudget budget) {
        Gauge.builder("junction.descriptors.limit", budget, DescriptorBudget::limit)
                .description("The process's descriptor limit (RLIMIT_NOFILE) the connection cap is derived from")
                .register(registry);
        Gauge.builder("junction.descriptors.connection.cap", budget, DescriptorBudget::connectionCap)
                .description("Proxied TCP connections the node runs at once: (limit - reserve) / 2")
                .register(registry);
        Gauge.builder("junction.descriptors.connections", budget, DescriptorBudget::connections)
                .description("Proxied TCP connections holding descriptors now").register(registry);
        FunctionCounter.builder("junction.descriptors.refused", budget, DescriptorBudget::refusedCount)
                .description("Connections accepted and closed at once because the connection cap was reached")
                .register(registry);
        FunctionCounter.builder("junction.descriptors.accept.failures", budget, DescriptorBudget::acceptFailureCount)
                .description("Accepts that failed with EMFILE or ENFILE (the listener paused 50 ms each time)")
                .register(registry);
    }

    private static Map<String, Object> configStatus(FileSource source, Path configFile, NodeMode nodeMode) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("configFile", configFile.toString());
        m.put("configReloads", source.reloadCount());
        m.put("configReloadFailures", source.failureCount());
        if (nodeMode != null) {
            m.put("nodeMode", nodeMode.status());
        }
        return m;
    }

    private static void closeQuietly(NodeMode nodeMode) {
        if (nodeMode != null) {
            nodeMode.close();
        }
    }

    public ProxyController controller() {
        return controller;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The admin server's address, or null when it is off. */
    public InetSocketAddress adminAddress() {
        return admin == null ? null : admin.localAddress();
    }

    /** The admin server's routes (to attach a registry view to), or null when the admin server is off. */
    public AdminRoutes adminRoutes() {
        return admin == null ? null : admin.routes();
    }

    /** Re-reads the config file now (SIGHUP). */
    public void reload() {
        fileSource.reloadNow();
    }

    /**
     * Graceful stop: no new connections; live ones get up to the configured shutdown drain timeout to finish, then
     * are closed. Runs once; later calls return at once.
     */
    public void shutdown() {
        synchronized (shutdownLock) {
            if (shutDown) {
                return;
            }
            shutDown = true;
        }
        long t0 = System.nanoTime();
        Duration drain = config.shutdownDrainTimeout();
        log.info("agent=stopping active_connections={} drain_timeout={}", controller.activeConnections(), drain);
        // The rules go first: a virtual address then fails at once rather than reaching a closed port.
        closeQuietly(nodeMode);
        controller.stopAccepting();
        // Counted once nothing new is accepted: these are the connections the drain is for.
        int draining = controller.activeConnections();
        long deadline = System.nanoTime() + drain.toNanos();
        while (controller.activeConnections() > 0 && System.nanoTime() < deadline) {
            sleepQuietly(20);
        }
        int left = controller.closeAllConnections();
        if (left > 0) {
            log.info("agent=drain_timeout closed_connections={}", left);
        }
        if (admin != null) {
            admin.close();
        }
        health.close();
        loops.close();
        // The loops handed their last access-log lines over as they ended.
        AccessLog.awaitWritten(2_000);
        controller.close();
        registry.close();
        log.info("agent=stopped connections_drained={} connections_forced={} took_ms={}", Math.max(0, draining - left),
                left, (System.nanoTime() - t0) / 1_000_000);
    }

    @Override
    public void close() {
        shutdown();
    }

    private static void bindProcessMetrics(PrometheusMeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
    }

    /** {@code accessLog: false} silences the access logger; {@code true} leaves the level logback.xml gives it. */
    private static void setAccessLog(boolean on) {
        org.slf4j.Logger access = LoggerFactory.getLogger("junction.access");
        if (!on && access instanceof ch.qos.logback.classic.Logger logback) {
            logback.setLevel(Level.OFF);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
