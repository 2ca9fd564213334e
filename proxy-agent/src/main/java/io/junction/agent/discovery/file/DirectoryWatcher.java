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
import java.util.concurrent.TimeUnit;

/**
 * Reports that something in one directory changed, whatever its name: editors replace files by rename and Kubernetes
 * ConfigMap volumes swap a {@code ..data} symlink, so filtering by file name would miss real updates. When the
 * directory cannot be watched (it is missing, or the file system has no watch support) {@link #await} just sleeps and
 * the caller's poll does the work; {@link #reopen} tries again.
 *
 * <p>Thread-safe: {@link #await} runs on the watch thread; {@link #close} may come from any thread and wakes it.
 */
final class DirectoryWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DirectoryWatcher.class);

    private final Path dir;
    private final String fileName;
    private final String owner;
    private final boolean enabled;

    private volatile WatchService service;
    // Guarded by this.
    private boolean closed;
    private boolean failureLogged;

    /**
     * @param fileName the watched file's name in {@code dir}: events about other entries are ignored (null: every
     *                 event counts)
     * @param owner    names the source in logs
     * @param enabled  false never watches (poll only)
     */
    DirectoryWatcher(Path dir, String fileName, String owner, boolean enabled) {
        this.fileName = fileName;
        this.dir = dir;
        this.owner = owner;
        this.enabled = enabled;
    }

    /** Starts watching if not watching yet. */
    synchronized void reopen() {
        if (!enabled || closed || service != null) {
            return;
        }
        WatchService w = null;
        try {
            w = FileSystems.getDefault().newWatchService();
            dir.register(w, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
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

    /** Waits up to {@code nanos} for a change in the directory; true if one came. */
    boolean await(long nanos) throws InterruptedException {
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
        boolean any = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            any |= concernsTheFile(event);
        }
        if (!key.reset()) {
            // The directory itself went away: report it (the file is gone too) and let reopen() find it later.
            drop(w);
            return true;
        }
        return any;
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
