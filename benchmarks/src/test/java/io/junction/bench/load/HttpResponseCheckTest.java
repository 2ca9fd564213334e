package io.junction.bench.load;

import io.junction.bench.load.HttpResponseCheck.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** What tcp-bcf's HTTP flavour accepts as a whole response read up to the server's close. */
class HttpResponseCheckTest {
    private static final String HEAD = "HTTP/1.1 200 OK\r\nContent-Length: 128\r\nConnection: close\r\n\r\n";
    private static final String BODY = "x".repeat(128);

    private static Verdict check(String response) {
        ByteBuf buf = Unpooled.copiedBuffer(response, StandardCharsets.ISO_8859_1);
        try {
            return HttpResponseCheck.check(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void theBackendsAnswerIsComplete() {
        assertThat(check(HEAD + BODY)).isEqualTo(Verdict.COMPLETE);
        assertThat(check("HTTP/1.0 200 OK\r\ncontent-length:  3 \r\n\r\nabc")).isEqualTo(Verdict.COMPLETE);
    }

    @Test
    void aCloseBeforeTheEndIsShortAndNothingIsEmpty() {
        assertThat(check(HEAD + BODY.substring(1))).isEqualTo(Verdict.SHORT);
        assertThat(check(HEAD.substring(0, 20))).isEqualTo(Verdict.SHORT);
        assertThat(check(HEAD)).isEqualTo(Verdict.SHORT);
        assertThat(check("")).isEqualTo(Verdict.EMPTY);
    }

    @Test
    void extraBytesAStatusOtherThan200AndGarbageAreErrors() {
        assertThat(check(HEAD + BODY + "y")).isEqualTo(Verdict.TOO_LONG);
        assertThat(check("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")).isEqualTo(Verdict.NOT_OK);
        assertThat(check("SSH-2.0-OpenSSH\r\n\r\n")).isEqualTo(Verdict.MALFORMED);
        assertThat(check("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbody")).as("no Content-Length")
                .isEqualTo(Verdict.MALFORMED);
        assertThat(check("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n")).isEqualTo(Verdict.MALFORMED);
    }

    @Test
    void onlyTheStartOfALargeResponseNeedsToBeKept() {
        ByteBuf start = Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\nxxxx",
                StandardCharsets.ISO_8859_1);
        int head = start.readableBytes() - 4;
        assertThat(HttpResponseCheck.check(start, head + 1_000_000L)).isEqualTo(Verdict.COMPLETE);
        assertThat(HttpResponseCheck.check(start, head + 999_999L)).isEqualTo(Verdict.SHORT);
        start.release();
    }

    @Test
    void headersThatNeverEndAreMalformedOnceTheLimitIsReached() {
        String endless = "HTTP/1.1 200 OK\r\nX: " + "y".repeat(HttpResponseCheck.MAX_HEAD);
        assertThat(check(endless)).isEqualTo(Verdict.MALFORMED);
    }
}
