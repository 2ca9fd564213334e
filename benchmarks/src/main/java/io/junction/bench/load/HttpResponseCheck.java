package io.junction.bench.load;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Judges a whole HTTP/1.x response read up to the server's close: a 200 status line, headers ending in an empty
 * line, a {@code Content-Length} and exactly that many body bytes. Pure; thread-safe (stateless).
 */
public final class HttpResponseCheck {
    /** Longest header block looked at; a response whose headers do not end within it is malformed. */
    static final int MAX_HEAD = 8192;

    /** The outcome; everything but {@link #COMPLETE} counts as an error. */
    public enum Verdict {
        /** Status 200 and exactly Content-Length body bytes. */
        COMPLETE,
        /** Nothing arrived before the close. */
        EMPTY,
        /** The close came before the end of the headers or of the body. */
        SHORT,
        /** More bytes than the headers announce. */
        TOO_LONG,
        /** A status other than 200. */
        NOT_OK,
        /** Not an HTTP/1.x response, or no usable Content-Length. */
        MALFORMED
    }

    private HttpResponseCheck() {
    }

    /** Checks the readable bytes of {@code response} (not consumed). */
    public static Verdict check(ByteBuf response) {
        return check(response, response.readableBytes());
    }

    /**
     * Checks a response of which only the beginning was kept.
     *
     * @param start      the first bytes of the response (at least the first {@link #MAX_HEAD}, or all of it when
     *                   shorter); not consumed
     * @param totalBytes how many bytes the whole response had
     */
    public static Verdict check(ByteBuf start, long totalBytes) {
        if (totalBytes == 0) {
            return Verdict.EMPTY;
        }
        int kept = start.readableBytes();
        int headEnd = headEnd(start, start.readerIndex(), Math.min(kept, MAX_HEAD));
        if (headEnd < 0) {
            return totalBytes >= MAX_HEAD ? Verdict.MALFORMED : Verdict.SHORT;
        }
        return judge(start.toString(start.readerIndex(), headEnd - start.readerIndex(), StandardCharsets.ISO_8859_1),
                totalBytes - (headEnd + 4 - start.readerIndex()));
    }

    private static Verdict judge(String head, long body) {
        String[] lines = head.split("\r\n");
        String[] status = lines[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
            return Verdict.MALFORMED;
        }
        if (!status[1].equals("200")) {
            return Verdict.NOT_OK;
        }
        long length = -1;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                try {
                    length = Long.parseLong(lines[i].substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    return Verdict.MALFORMED;
                }
            }
        }
        if (length < 0) {
            return Verdict.MALFORMED;
        }
        return body < length ? Verdict.SHORT : body > length ? Verdict.TOO_LONG : Verdict.COMPLETE;
    }

    /** Index of the CR that starts the first CRLF CRLF within {@code length} bytes from {@code start}, or -1. */
    private static int headEnd(ByteBuf buf, int start, int length) {
        for (int i = start, end = start + length - 3; i < end; i++) {
            if (buf.getByte(i) == '\r' && buf.getByte(i + 1) == '\n' && buf.getByte(i + 2) == '\r'
                    && buf.getByte(i + 3) == '\n') {
                return i;
            }
        }
        return -1;
    }
}
