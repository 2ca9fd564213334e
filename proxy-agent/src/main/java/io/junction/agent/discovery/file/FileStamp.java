package io.junction.agent.discovery.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * What one stat of a file says about its content without reading it: identity (device and inode where the platform
 * has them), size and modification time, following symbolic links (a ConfigMap swap changes the link's target, and
 * so the identity). Two equal stamps mean "probably unchanged", never "certainly": see {@link #settledAt}. Immutable.
 *
 * @param fileKey  the platform's file identity, or null where it has none
 * @param size     bytes
 * @param modified last modification time
 */
record FileStamp(Object fileKey, long size, FileTime modified) {
    /**
     * How long after its last write a stamp is still ambiguous. A rewrite of the same size can keep the same mtime
     * when the file system's clock is coarse (a kernel tick; 1 s on ext3; 2 s on FAT); once this much time has
     * passed since the mtime, a further write gets a different one.
     */
    static final long RACY_MILLIS = 2_000;

    /** Stats {@code file} (one system call, no read). */
    static FileStamp of(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new FileStamp(a.fileKey(), a.size(), a.lastModifiedTime());
    }

    /** Like {@link #of}, but null when the file cannot be stat'ed (missing, a dangling link, no permission). */
    static FileStamp ofOrNull(Path file) {
        try {
            return of(file);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /**
     * Whether a stamp taken at {@code takenAtMillis} (wall clock) can be trusted to change on the next write: false
     * while the file was written too recently for its mtime to tell a later write apart (the "racily clean" case).
     */
    boolean settledAt(long takenAtMillis) {
        return modified.toMillis() + RACY_MILLIS <= takenAtMillis;
    }
}
