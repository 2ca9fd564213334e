package io.junction.agent.discovery.file;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reports that one file may have changed. Two cheap signals, so that other files in the directory cost nothing:
 * <ul>
 *   <li>Entries created, renamed or deleted in the directory, under the file's own name or a Kubernetes ConfigMap
 *       {@code ..} name (editors replace files by rename; ConfigMap volumes swap a {@code ..data} symlink). Writes are
 *       not watched at all: the kernel would queue an event for every write to every file here (a log appending
 *       10,000 lines/s next to the config kept two threads busy), and the file's own in-place writes are caught
 *       by the next signal instead.</li>
 *   <li>A stat of the file every {@link #STAT_INTERVAL_NANOS}: a different identity, size or mtime.</li>
 * </ul>
 * A batch of events about other names is handled at most once per stat interval: the watch key is reset only then,
 * so a burst of creations next to the file coalesces into one wake-up. When the directory cannot be watched (it is
 * missing, or the file system has no watch support) only the stat runs, and {@link #reopen} tries again.
 *
 * <p>Thread-safe: {@link #await} runs on the watch thread; {@link #close} may come from any thread and wakes it.
 */
final class DirectoryWatcher implements AutoCloseable {
    /** How often the file is stat'ed, and the longest a batch of unrelated events waits. */
    static final long STAT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private static final Logger log = LoggerFactory.getLogger(DirectoryWatcher.class);

    private final Path dir;
    private final String fileName;
    private final String owner;
    private final boolean enabled;
    private final Path file;
    private final AtomicLong wakeups = new AtomicLong();

    private volatile WatchService service;
    // Confined to the watch thread once it runs (set by reopen() on the thread that starts it).
    private FileStamp lastSeen;
    private boolean stamped;
    // Guarded by this.
    private boolean closed;
    private boolean failureLogged;

    /**
     * @param fileName the watched file's name in {@code dir}: events about other entries are ignored (null: every
     *                 event counts)
     * @param owner    names the source in logs
     * @param enabled  false never watches nor stats (poll only)
     */
    DirectoryWatcher(Path dir, String fileName, String owner, boolean enabled) {
        this.fileName = fileName;
        this.file = fileName == null ? null : dir.resolve(fileName);
        this.dir = dir;
        this.owner = owner;
        this.enabled = enabled;
    }

    /** Starts watching if not watching yet. */
    synchronized void reopen() {
        if (!enabled || closed) {
            return;
        }
        if (!stamped && file != null) {
            // The baseline for the stat: taken before the caller's first read, so a change in between is not lost.
            lastSeen = FileStamp.ofOrNull(file);
            stamped = true;
        }
        if (service != null) {
            return;
        }
        WatchService w = null;
        try {
            w = FileSystems.getDefault().newWatchService();
            // No ENTRY_MODIFY: see the class comment.
            dir.register(w, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
            service = w;
            failureLogged = false;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            closeQuietly(w);
            // Retried at every poll while the directory is missing; say so once, not every two seconds.
            if (!failureLogged) {
                failureLogged = true;
                log.warn("cannot watch directory, polling only source={} dir={} reason={}", owner, dir, e.toString());
            }
        }
    }

    /**
     * Whether an event can change what the file reads as: the file's own name, Kubernetes ConfigMap bookkeeping
     * entries ({@code ..data} symlink swaps), or a lost-events overflow. Other files in the directory (a log written
     * next to the config, an editor's swap file) do not trigger a reload.
     */
    private boolean concernsTheFile(WatchEvent<?> event) {
        if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
            return true;
        }
        Object context = event.context();
        if (!(context instanceof Path name)) {
            return true;
        }
        return fileName == null || name.toString().equals(fileName) || name.toString().startsWith("..");
    }

    /** Waits up to {@code nanos} for a sign that the file changed; true if one came. */
    boolean await(long nanos) throws InterruptedException {
        if (!enabled) {
            TimeUnit.NANOSECONDS.sleep(nanos);
            return false;
        }
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
            if (awaitEvent(Math.min(left, STAT_INTERVAL_NANOS)) || statChanged()) {
                return true;
            }
        }
        return false;
    }

    /** Times the watch service woke the watch thread; for tests. */
    long wakeups() {
        return wakeups.get();
    }

    /** Waits up to {@code nanos} for an event about the file; events about other names take the whole wait. */
    private boolean awaitEvent(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        WatchService w = service;
        if (w == null) {
            TimeUnit.NANOSECONDS.sleep(nanos);
            return false;
        }
        WatchKey key;
        try {
            key = w.poll(nanos, TimeUnit.NANOSECONDS);
        } catch (ClosedWatchServiceException e) {
            return false;
        }
        if (key == null) {
            return false;
        }
        wakeups.incrementAndGet();
        boolean any = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            any |= concernsTheFile(event);
        }
        if (!any) {
            // Coalesce: until the key is reset, further events only accumulate in it (the JDK keeps 512, then
            // reports an overflow, which counts as a change), so a busy directory wakes this thread once per wait.
            TimeUnit.NANOSECONDS.sleep(Math.max(0, deadline - System.nanoTime()));
        }
        if (!key.reset()) {
            // The directory itself went away: report it (the file is gone too) and let reopen() find it later.
            drop(w);
            return true;
        }
        return any;
    }

    /** Whether the file's stamp differs from the one seen last; a stat, no read. */
    private boolean statChanged() {
        if (file == null) {
            return false;
        }
        FileStamp now = FileStamp.ofOrNull(file);
        boolean changed = !Objects.equals(now, lastSeen);
        lastSeen = now;
        return changed;
    }

    @Override
    public synchronized void close() {
        closed = true;
        drop(service);
    }

    private synchronized void drop(WatchService w) {
        if (w != null && service == w) {
            service = null;
            closeQuietly(w);
        }
    }

    private void closeQuietly(WatchService w) {
        if (w != null) {
            try {
                w.close();
            } catch (IOException e) {
                log.debug("closing directory watch failed source={}", owner, e);
            }
        }
    }
}
