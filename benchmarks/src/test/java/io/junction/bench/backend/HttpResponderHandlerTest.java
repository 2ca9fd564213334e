package io.junction.bench.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class HttpResponderHandlerTest {
    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void answersEachRequestOnceEvenWhenTheTerminatorIsSplitAcrossReads() {
        ByteBuf response = ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        EmbeddedChannel ch = new EmbeddedChannel(new HttpResponderHandler(response));
        ch.writeInbound(ascii("GET / HTTP/1.1\r\nHost: x\r"));
        Object early = ch.readOutbound();
        assertThat(early).isNull();
        ch.writeInbound(ascii("\n\r"));
        early = ch.readOutbound();
        assertThat(early).isNull();
        ch.writeInbound(ascii("\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n"));
        int answers = 0;
        for (ByteBuf out; (out = ch.readOutbound()) != null; answers++) {
            assertThat(out.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200 OK");
            out.release();
        }
        assertThat(answers).isEqualTo(3);
        assertThat(ch.finishAndReleaseAll()).isFalse();
        response.release();
        assertThat(response.refCnt()).isZero();
    }
}
