package io.junction.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Writes seeded pseudo-random streams and reads streams to EOF, both computing SHA-256, so tests can compare what
 * was sent with what arrived byte for byte.
 *
 * <p>Stateless and thread-safe; {@link Hashed} results are immutable.
 */
public final class TcpStreams {
    private static final int CHUNK = 64 * 1024;

    private TcpStreams() {
    }

    /** Bytes moved and their SHA-256 (hex). */
    public record Hashed(long bytes, String sha256) {
    }

    /** Writes {@code total} bytes generated from {@code seed} in 64 KiB chunks; does not close or shut down. */
    public static Hashed writeRandom(OutputStream out, long total, long seed) throws IOException {
        MessageDigest digest = sha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[CHUNK];
        long left = total;
        while (left > 0) {
            int n = (int) Math.min(CHUNK, left);
            fill(random, chunk, n);
            out.write(chunk, 0, n);
            digest.update(chunk, 0, n);
            left -= n;
        }
        out.flush();
        return new Hashed(total, HexFormat.of().formatHex(digest.digest()));
    }

    /** Reads until EOF (a reset or timeout propagates as the socket's exception). */
    public static Hashed readAll(InputStream in) throws IOException {
        return read(in, Long.MAX_VALUE);
    }

    /** Reads exactly {@code total} bytes, or fewer if EOF comes first. */
    public static Hashed read(InputStream in, long total) throws IOException {
        MessageDigest digest = sha256();
        byte[] buf = new byte[CHUNK];
        long count = 0;
        while (count < total) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, total - count));
            if (n < 0) {
                break;
            }
            digest.update(buf, 0, n);
            count += n;
        }
        return new Hashed(count, HexFormat.of().formatHex(digest.digest()));
    }

    /** {@code n} pseudo-random bytes from {@code seed}. */
    public static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        fill(new SplittableRandom(seed), b, n);
        return b;
    }

    private static void fill(SplittableRandom random, byte[] chunk, int n) {
        for (int i = 0; i < n; ) {
            long v = random.nextLong();
            for (int k = 0; k < 8 && i < n; k++, i++) {
                chunk[i] = (byte) v;
                v >>>= 8;
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
