package io.junction.agent.discovery.zookeeper;

import io.junction.core.discovery.DiscoveryListener;
import io.junction.core.discovery.DiscoverySource;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.ServiceKey;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Reads services registered the Apache Curator way ({@code {basePath}/{service}/{instanceId}}, each holding a
 * {@code ServiceInstance} JSON) with Curator's {@link CuratorCache}: a persistent recursive watch, no polling. One
 * cache watches {@code basePath} (new services appear by themselves), or one per listed service.
 *
 * <p>Delivery: once every cache has loaded, the whole state with {@code onReplace} (the source is then synced); after
 * that, {@code onChange} for exactly the services that changed. Failures: while ZooKeeper cannot be reached, or the
 * session is suspended or lost, nothing is delivered, so the last known state keeps serving; the loss is logged once,
 * reported to the listener (the status API shows it) and counted. On reconnection the cache re-reads what it holds
 * and delivers the real state, removals of instances whose owner went away included. Malformed instances are skipped
 * one by one, with a log line naming their znode.
 *
 * <p>Curator calls back on its own threads; every callback is handed to the source's one thread, which owns all
 * state. {@link #close()} may be called from any thread.
 */
public final class ZooKeeperSource implements DiscoverySource {
    public static final String NAME = "zookeeper";
    /**
     * Node events are handed over together once this long after the first: after a reconnection with a new session,
     * the cache re-reads each service and reports a departed instance before the one that replaced it, and
     * delivering them one by one would leave the service without endpoints in between.
     */
    private static final Duration COALESCE = Duration.ofMillis(100);

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperSource.class);
    /** Curator retries each operation with backoff up to 5 s apart; the caches re-arm themselves after that. */
    private static final int RETRY_BASE_MS = 250;
    private static final int RETRY_MAX_MS = 5_000;
    private static final int RETRIES = 20;

    private final ZooKeeperSettings settings;
    private final ZooKeeperMetrics metrics;
    private final RegistryIndex index;
    private final ScheduledThreadPoolExecutor thread;
    /** A delivery is scheduled on the source thread. Source thread. */
    private boolean deliveryScheduled;
    private final List<CuratorCache> caches = new ArrayList<>();
    private CuratorFramework client;
    private DiscoveryListener listener;
    private final SessionWatch session;
    private int initialized;
    private boolean synced;
    private volatile boolean closed;

    public ZooKeeperSource(ZooKeeperSettings settings, MeterRegistry registry, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.index = new RegistryIndex(settings);
        this.metrics = new ZooKeeperMetrics(registry, clock);
        this.session = new SessionWatch(settings.connect(), metrics);
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "zookeeper-source");
            t.setDaemon(true);
            return t;
        });
        // A pending start-up check must not hold close() up.
        this.thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The znodes the caches watch: {@code basePath}, or each listed service under it. */
    List<String> roots() {
        if (settings.services().isEmpty()) {
            return List.of(settings.basePath());
        }
        List<String> out = new ArrayList<>();
        for (String s : new TreeSet<>(settings.services())) {
            out.add(ZKPaths.makePath(settings.basePath(), s));
        }
        return out;
    }

    @Override
    public void start(DiscoveryListener discoveryListener) {
        Objects.requireNonNull(discoveryListener, "listener");
        thread.execute(() -> startOnThread(discoveryListener));
    }

    private void startOnThread(DiscoveryListener discoveryListener) {
        if (closed) {
            return;
        }
        listener = discoveryListener;
        session.listener(discoveryListener);
        client = CuratorFrameworkFactory.builder()
                .connectString(settings.connect())
                .sessionTimeoutMs(millis(settings.sessionTimeout()))
                .connectionTimeoutMs(millis(settings.connectionTimeout()))
                .retryPolicy(new ExponentialBackoffRetry(RETRY_BASE_MS, RETRIES, RETRY_MAX_MS))
                // Exactly the servers the config names: no switching to what the ensemble's config znode lists.
                .ensembleTracker(false)
                .build();
        client.getConnectionStateListenable().addListener((c, state) -> onState(state), thread);
        client.start();
        for (String root : roots()) {
            CuratorCache cache = CuratorCache.builder(client, root)
                    .withExceptionHandler(this::onCacheError)
                    .build();
            cache.listenable().addListener(new CacheEvents(), thread);
            caches.add(cache);
        }
        caches.forEach(CuratorCache::start);
        log.info("zookeeper=starting connect={} base_path={} services={} session_timeout={} connection_timeout={}",
                settings.connect(), settings.basePath(),
                settings.services().isEmpty() ? "all" : new TreeSet<>(settings.services()),
                settings.sessionTimeout(), settings.connectionTimeout());
        thread.schedule(session::checkReachedAtStart, settings.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    /** Source thread. */
    private void onState(ConnectionState state) {
        if (closed) {
            return;
        }
        if (session.onState(state, sessionId()) && synced) {
            // Connected again: the state delivered is still the last known one (the caches now re-read and deliver
            // what changed); saying so clears the loss from the status API.
            listener.onReplace(NAME, index.delivered());
        }
    }

    private long sessionId() {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0;
        }
    }

    /** Curator's thread: a cache operation failed; connection trouble is reported by the connection state. */
    private void onCacheError(Exception e) {
        if (e instanceof KeeperException.ConnectionLossException || e instanceof KeeperException.SessionExpiredException
                || closed) {
            log.debug("zookeeper=cache_retry reason=\"{}\"", e.toString());
        } else {
            metrics.failed();
            log.warn("zookeeper=cache_error reason=\"{}\"", e.toString());
        }
    }

    /** Source thread: one znode under a watched root changed. */
    private void onNode(CuratorCacheListener.Type type, ChildData before, ChildData after) {
        ChildData node = after != null ? after : before;
        if (closed || node == null) {
            return;
        }
        String[] parts = relative(node.getPath());
        // {service}/{instanceId} only: the base and service znodes carry no instance, deeper znodes are not ours.
        if (parts == null || parts.length != 2 || !index.accepts(parts[0])) {
            return;
        }
        if (type == CuratorCacheListener.Type.NODE_DELETED) {
            index.remove(parts[0], parts[1]);
        } else {
            read(parts[0], parts[1], node);
        }
        metrics.instances(index.instances());
        if (synced && !deliveryScheduled) {
            deliveryScheduled = true;
            thread.schedule(this::deliver, COALESCE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void read(String service, String id, ChildData node) {
        try {
            index.put(InstanceTranslator.translate(service, id, node.getData()));
        } catch (MalformedInstanceException e) {
            metrics.skipped();
            log.warn("zookeeper=instance_skipped znode={} reason=\"{}\"", node.getPath(), e.getMessage());
            index.remove(service, id);
        }
    }

    private String[] relative(String path) {
        String base = settings.basePath();
        String prefix = base.equals("/") ? "/" : base + '/';
        if (!path.startsWith(prefix) || path.length() == prefix.length()) {
            return null;
        }
        return path.substring(prefix.length()).split("/", -1);
    }

    /** Source thread: hands over what changed since the last delivery. */
    private void deliver() {
        deliveryScheduled = false;
        if (!synced || closed) {
            return;
        }
        Map<ServiceKey, ServiceDefinition> changes = index.changes();
        metrics.delivered();
        changes.forEach((key, definition) -> {
            log.debug("zookeeper=changed service={} endpoints={}", key,
                    definition == null ? "removed" : definition.endpoints());
            listener.onChange(NAME, key, definition);
        });
    }

    /** Source thread: one cache finished its first load; the last one makes the source synced. */
    private void onInitialized() {
        if (closed || synced || ++initialized < caches.size()) {
            return;
        }
        synced = true;
        metrics.loaded();
        Map<ServiceKey, ServiceDefinition> all = index.full();
        log.info("zookeeper=synced services={} instances={}", all.size(), index.instances());
        listener.onReplace(NAME, all);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        thread.execute(() -> {
            caches.forEach(CuratorCache::close);
            if (client != null) {
                client.close();
            }
            metrics.close();
        });
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The caches' callbacks, already on the source thread. */
    private final class CacheEvents implements CuratorCacheListener {
        @Override
        public void event(Type type, ChildData oldData, ChildData data) {
            onNode(type, oldData, data);
        }

        @Override
        public void initialized() {
            onInitialized();
        }
    }
}
