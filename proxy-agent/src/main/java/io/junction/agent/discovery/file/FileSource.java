package io.junction.agent.discovery.file;

import io.junction.agent.config.AgentConfig;
import io.junction.agent.config.ConfigException;
import io.junction.agent.config.ConfigLoader;
import io.junction.core.discovery.DiscoveryListener;
import io.junction.core.discovery.DiscoverySource;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.ServiceKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves the services of one YAML config file and follows its changes. {@link #start} loads the file once on the
 * caller's thread (so the first {@code onReplace}, or {@code onError}, has happened when it returns), then one daemon
 * thread follows it with a {@link DirectoryWatcher}: renames onto the file's name (editors), Kubernetes ConfigMap
 * {@code ..data} symlink swaps, and a frequent stat for in-place writes; other files in the directory cost nothing.
 * Bursts are debounced; a poll every {@link #DEFAULT_POLL_INTERVAL} catches what the watch misses (network file
 * systems, overflow, a re-created directory). The content is read only when a stat says the file may have changed
 * ({@link StampedFileReader}), and re-parsed only when its SHA-256 changes.
 *
 * <p>A good new file leads to {@code onReplace}, but only when the services differ from those last sent. A bad or
 * missing file leads to {@code onError} and a WARN with every error; the last good state stays in force and nothing
 * else is sent. While the file is bad, polls retry it (a host name may resolve later), reporting an error again only
 * when the content changes. {@link #reloadNow} (SIGHUP) re-reads and re-resolves unconditionally.
 *
 * <p>Thread-safe: loads are serialized by one lock and the listener is called under it, so it sees events in order.
 */
public final class FileSource implements DiscoverySource {
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(100);

    private static final Logger log = LoggerFactory.getLogger(FileSource.class);
    /** A writer that keeps touching the file cannot hold a reload back longer than this. */
    private static final long MAX_DEBOUNCE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final byte[] MISSING = new byte[0];

    /** Why a load runs; it decides whether an unchanged file is parsed again and an error repeated. */
    private enum Trigger { EVENT, POLL, FORCED }

    private final Path file;
    private final String name;
    private final ConfigLoader loader;
    private final long pollNanos;
    private final long debounceNanos;
    private final DirectoryWatcher watcher;
    private final Object lock = new Object();
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final StampedFileReader reader;

    // Guarded by lock.
    private DiscoveryListener listener;
    private boolean closed;
    private byte[] lastDigest;
    private boolean lastAttemptOk;
    private String lastError;
    private Map<ServiceKey, ServiceDefinition> lastServices;
    private Thread thread;

    private volatile AgentConfig lastGood;
    private volatile Consumer<AgentConfig> onConfig = config -> { };

    /** A source for {@code file} with the default poll interval and debounce, resolving hosts with the system DNS. */
    public FileSource(Path file) {
        this(file, new ConfigLoader(), DEFAULT_POLL_INTERVAL, DEFAULT_DEBOUNCE);
    }

    public FileSource(Path file, ConfigLoader loader, Duration pollInterval, Duration debounce) {
        this(file, loader, pollInterval, debounce, true);
    }

    /** {@code useWatchService} false leaves only the poll; tests use it to prove the poll alone is enough. */
    FileSource(Path file, ConfigLoader loader, Duration pollInterval, Duration debounce, boolean useWatchService) {
        this.file = Objects.requireNonNull(file, "file");
        this.loader = Objects.requireNonNull(loader, "loader");
        if (pollInterval.toMillis() < 10) {
            throw new IllegalArgumentException("pollInterval: " + pollInterval + " (expected: >= 10ms)");
        }
        if (debounce.isNegative()) {
            throw new IllegalArgumentException("debounce: " + debounce + " (expected: >= 0)");
        }
        this.pollNanos = pollInterval.toNanos();
        this.debounceNanos = debounce.toNanos();
        this.watcher = new DirectoryWatcher(file.toAbsolutePath().getParent(),
                String.valueOf(file.getFileName()), "file:" + file, useWatchService);
        this.name = "file:" + file;
        this.reader = new StampedFileReader(file);
    }

    @Override
    public String name() {
        return name;
    }

    /** Loads the file now, reporting the result to {@code listener}, then starts watching it. */
    @Override
    public void start(DiscoveryListener newListener) {
        Objects.requireNonNull(newListener, "listener");
        synchronized (lock) {
            if (listener != null || closed) {
                throw new IllegalStateException("start: " + name + " (expected: a source not started or closed)");
            }
            listener = newListener;
            // Watch before the first read, so that a change made between the two is not lost.
            watcher.reopen();
            load(Trigger.FORCED);
            thread = new Thread(this::watchLoop, "junction-file-source:" + file.getFileName());
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * Re-reads and re-validates the file now, even if unchanged (SIGHUP). Returns whether it was good; false without
     * reading once the source is closed, since a signal may race shutdown.
     */
    public boolean reloadNow() {
        synchronized (lock) {
            if (listener == null) {
                throw new IllegalStateException("reloadNow: " + name + " (expected: a started source)");
            }
            return !closed && load(Trigger.FORCED);
        }
    }

    /**
     * Called with every config that passes validation, on the loading thread and before the services it holds are
     * delivered: the agent takes the node's policy (listen addresses, defaults) from it. Call before {@link #start}.
     */
    public void onConfig(Consumer<AgentConfig> callback) {
        this.onConfig = Objects.requireNonNull(callback, "callback");
    }

    /** The last config that passed validation; null until the first good load. */
    public AgentConfig lastGood() {
        return lastGood;
    }

    /** Good loads so far, the first one included, whether or not they changed the services. */
    public long reloadCount() {
        return reloads.get();
    }

    /** Loads rejected so far: invalid content, a missing or unreadable file. */
    public long failureCount() {
        return failures.get();
    }

    /** Times the file's content was read; for tests. */
    long readCount() {
        return reader.reads();
    }

    /** Times the directory watch woke the watcher thread; for tests. */
    long watcherWakeups() {
        return watcher.wakeups();
    }

    /** The watcher thread; for tests. */
    Thread thread() {
        synchronized (lock) {
            return thread;
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            t = thread;
        }
        watcher.close();
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
            try {
                t.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        log.info("discovery source closed source={}", name);
    }

    private void watchLoop() {
        long nextPoll = System.nanoTime() + pollNanos;
        long dueAt = 0;
        long firstEventAt = 0;
        boolean pending = false;
        while (!isClosed()) {
            try {
                long now = System.nanoTime();
                long wait = Math.max(0, (pending ? Math.min(dueAt, nextPoll) : nextPoll) - now);
                if (watcher.await(wait)) {
                    now = System.nanoTime();
                    if (!pending) {
                        pending = true;
                        firstEventAt = now;
                    }
                    dueAt = Math.min(now + debounceNanos, firstEventAt + MAX_DEBOUNCE_NANOS);
                }
                now = System.nanoTime();
                if (pending && now - dueAt >= 0) {
                    pending = false;
                    loadUnlessClosed(Trigger.EVENT);
                }
                if (now - nextPoll >= 0) {
                    nextPoll = now + pollNanos;
                    watcher.reopen();
                    loadUnlessClosed(Trigger.POLL);
                }
            } catch (InterruptedException e) {
                // Only close() interrupts this thread; the loop condition ends it.
                if (!isClosed()) {
                    log.warn("file watcher interrupted unexpectedly, continuing source={}", name);
                }
            } catch (RuntimeException e) {
                // A listener broke its contract by throwing; keep watching rather than go silently stale.
                log.error("file source load failed source={}", name, e);
            }
        }
    }

    private void loadUnlessClosed(Trigger trigger) {
        synchronized (lock) {
            if (!closed) {
                load(trigger);
            }
        }
    }

    /** One load attempt; caller holds the lock. */
    private boolean load(Trigger trigger) {
        byte[] content;
        byte[] digest;
        try {
            // POLL retries a rejected file even when unchanged: a host name may resolve now.
            content = reader.readIfChanged(trigger == Trigger.FORCED || (trigger == Trigger.POLL && !lastAttemptOk));
            if (content == null) {
                return lastAttemptOk;
            }
            digest = sha256(content);
        } catch (NoSuchFileException e) {
            return reject(trigger, MISSING, file + ": file not found", e);
        } catch (IOException | SecurityException e) {
            return reject(trigger, MISSING, file + ": cannot read the file (" + e + ")", e);
        }
        boolean changed = !Arrays.equals(digest, lastDigest);
        if (!changed && trigger != Trigger.FORCED && (lastAttemptOk || trigger == Trigger.EVENT)) {
            return lastAttemptOk;
        }
        AgentConfig config;
        try {
            config = loader.parse(content, file.toString());
        } catch (ConfigException e) {
            return reject(trigger, digest, e.getMessage(), e);
        }
        lastDigest = digest;
        lastAttemptOk = true;
        lastError = null;
        lastGood = config;
        onConfig.accept(config);
        boolean servicesChanged = !config.services().equals(lastServices);
        if (servicesChanged) {
            lastServices = config.services();
            listener.onReplace(name, config.services());
        }
        long n = reloads.incrementAndGet();
        log.info("config loaded source={} trigger={} services={} servicesChanged={} reloads={}",
                name, trigger.name().toLowerCase(Locale.ROOT), config.services().size(), servicesChanged, n);
        return true;
    }

    private boolean reject(Trigger trigger, byte[] digest, String message, Exception cause) {
        // Once per file content: a retry of the same bytes may fail with other words (the resolver's, say). Without
        // content (missing, unreadable), the message is all there is to compare.
        boolean repeat = !lastAttemptOk && Arrays.equals(digest, lastDigest)
                && (digest != MISSING || message.equals(lastError));
        lastDigest = digest;
        lastAttemptOk = false;
        lastError = message;
        if (repeat && trigger != Trigger.FORCED) {
            return false;
        }
        long n = failures.incrementAndGet();
        int errorCount = cause instanceof ConfigException ce ? ce.errors().size() : 1;
        log.warn("config rejected, keeping the last good config source={} errors={} failures={}\n{}",
                name, errorCount, n, message);
        listener.onError(name, message, cause);
        return false;
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
