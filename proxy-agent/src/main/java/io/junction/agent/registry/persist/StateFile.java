package io.junction.agent.registry.persist;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The registry's state file on disk. Reading: a missing file is an empty registry; a file that is not a state file
 * is moved aside to {@code registry.json.corrupt-<timestamp>} with one WARN line, and the registry starts empty.
 * Writing: to a temporary file in the same directory, fsync, atomic rename over the old file, fsync of the
 * directory, so a crash leaves either the old or the new state, never a torn one. The file is readable by its owner
 * only.
 *
 * <p>Thread-safe for one writer at a time (the {@link StateWriter}'s thread); reading happens once, at start.
 */
public final class StateFile {
    private static final Logger log = LoggerFactory.getLogger(StateFile.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    /** A state file larger than this is not one the registry wrote (64 instances of the largest body would not). */
    static final long MAX_BYTES = 256L << 20;

    private final Path file;
    private final Clock clock;

    public StateFile(Path file, Clock clock) {
        this.file = file.toAbsolutePath();
        this.clock = clock;
    }

    public Path path() {
        return file;
    }

    /** The saved state, or {@link StateCodec.Loaded#EMPTY} when there is none or it was corrupt (moved aside). */
    public StateCodec.Loaded load() {
        byte[] content;
        try {
            if (Files.size(file) > MAX_BYTES) {
                moveAside("larger than " + MAX_BYTES + " bytes");
                return StateCodec.Loaded.EMPTY;
            }
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return StateCodec.Loaded.EMPTY;
        } catch (IOException e) {
            log.warn("registry=state_unreadable file={} error=\"{}\" starting=empty", file, e.toString());
            return StateCodec.Loaded.EMPTY;
        }
        try {
            return StateCodec.decode(content);
        } catch (IllegalArgumentException e) {
            moveAside(e.getMessage());
            return StateCodec.Loaded.EMPTY;
        }
    }

    /** Moves a corrupt file aside; returns where it went, or null when even that failed. */
    Path moveAside(String reason) {
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + STAMP.format(clock.instant()));
        try {
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            log.warn("registry=state_corrupt file={} reason=\"{}\" moved_to={} starting=empty", file, reason, aside);
            return aside;
        } catch (IOException e) {
            log.warn("registry=state_corrupt file={} reason=\"{}\" move_failed=\"{}\" starting=empty", file, reason,
                    e.toString());
            return null;
        }
    }

    /** Writes {@code content} durably and atomically; throws on failure (the writer logs and retries later). */
    public void write(byte[] content) throws IOException {
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        // The rename is durable only once the directory entry is: fsync the directory too.
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
