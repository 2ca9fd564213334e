package io.junction.reliability.traffic;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Seeded pseudo-random bytes written and read with a running SHA-256, so both ends of a stream can prove they saw
 * the same bytes without keeping them.
 */
public final class Payload {
    private static final int CHUNK = 64 * 1024;

    private Payload() {
    }

    /** How many bytes a side saw and their SHA-256 in hex. */
    public record Digest(long bytes, String sha256) {
    }

    /** Writes {@code length} bytes drawn from {@code seed}; their digest. */
    public static Digest write(OutputStream out, long length, long seed) throws IOException {
        MessageDigest sha = sha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[CHUNK];
        ByteBuffer view = ByteBuffer.wrap(chunk);
        long left = length;
        while (left > 0) {
            view.clear();
            while (view.remaining() >= Long.BYTES) {
                view.putLong(random.nextLong());
            }
            int n = (int) Math.min(CHUNK, left);
            out.write(chunk, 0, n);
            sha.update(chunk, 0, n);
            left -= n;
        }
        out.flush();
        return new Digest(length, HexFormat.of().formatHex(sha.digest()));
    }

    /** Reads to end of stream; how many bytes came and their digest. */
    public static Digest readToEnd(InputStream in) throws IOException {
        MessageDigest sha = sha256();
        byte[] buf = new byte[CHUNK];
        long total = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            sha.update(buf, 0, n);
            total += n;
        }
        return new Digest(total, HexFormat.of().formatHex(sha.digest()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
