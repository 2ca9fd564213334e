package io.junction.agent.discovery.file;

import io.junction.agent.config.ConfigLoader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads a file only when a stat says it may differ from what was read last: same identity, size and mtime, and an
 * mtime old enough to be trusted ({@link FileStamp#settledAt}), mean "as last read" and cost one stat. The content is
 * still read every {@link #VERIFY_INTERVAL_NANOS} whatever the stat says, for file systems whose attributes can lag
 * behind their content (an NFS client's attribute cache).
 *
 * <p>Not thread-safe: the caller serializes calls (FileSource holds its lock); {@link #reads} may be read anywhere.
 */
final class StampedFileReader {
    static final long VERIFY_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Path file;
    private final AtomicLong reads = new AtomicLong();

    /** The stamp taken just before the last successful read; null before one, or after a failed one. */
    private FileStamp lastStamp;
    private long lastStampMillis;
    private long lastReadNanos;

    StampedFileReader(Path file) {
        this.file = file;
    }

    /**
     * The file's content (at most {@link ConfigLoader#MAX_FILE_BYTES} + 1 bytes), or null if the file is as last read.
     * {@code force} reads regardless.
     */
    byte[] readIfChanged(boolean force) throws IOException {
        long nowNanos = System.nanoTime();
        long nowMillis = System.currentTimeMillis();
        // A failed stat (file missing, say) is not an answer: the read below reports the real error.
        FileStamp stamp = FileStamp.ofOrNull(file);
        boolean asLastRead = stamp != null && stamp.equals(lastStamp) && lastStamp.settledAt(lastStampMillis)
                && nowNanos - lastReadNanos < VERIFY_INTERVAL_NANOS;
        if (asLastRead && !force) {
            return null;
        }
        // Stamp before content: a write in between leaves an old stamp with new content, so the next call reads
        // again, never the reverse.
        lastStamp = null;
        reads.incrementAndGet();
        byte[] content = ConfigLoader.readCapped(file);
        lastStamp = stamp;
        lastStampMillis = nowMillis;
        lastReadNanos = nowNanos;
        return content;
    }

    /** Times the content was read. */
    long reads() {
        return reads.get();
    }
}
