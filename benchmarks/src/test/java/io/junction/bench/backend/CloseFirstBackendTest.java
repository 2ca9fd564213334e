package io.junction.bench.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The two backends of tcp-bcf answer once and then close the connection themselves. */
class CloseFirstBackendTest {
    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void httpCloseAnswersTheFirstRequestThenCloses() {
        ByteBuf response = Unpooled.wrappedBuffer(BackendServer.httpResponse(128, "Content-Length: 128",
                "Connection: close"));
        EmbeddedChannel ch = new EmbeddedChannel(new HttpResponderHandler(response, true));
        ch.writeInbound(ascii("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"));
        assertThat(ch.<Object>readOutbound()).isNull();
        assertThat(ch.isOpen()).isTrue();
        ch.writeInbound(ascii("\r\n"));
        ByteBuf out = ch.readOutbound();
        String text = out.toString(StandardCharsets.US_ASCII);
        out.release();
        assertThat(text).startsWith("HTTP/1.1 200 OK\r\nContent-Length: 128\r\nConnection: close\r\n\r\n")
                .endsWith("x".repeat(128)).hasSize(59 + 128);
        assertThat(ch.isOpen()).as("the backend closes first").isFalse();
        assertThat(ch.<Object>readOutbound()).as("one answer only").isNull();
        ch.finishAndReleaseAll();
        response.release();
    }

    @Test
    void rawCloseWaitsForTheWholeRequestThenWritesTheResponseAndCloses() {
        ByteBuf response = Unpooled.buffer(300).writeZero(300);
        EmbeddedChannel ch = new EmbeddedChannel(new RawCloseHandler(response, 64));
        ch.writeInbound(Unpooled.buffer(40).writeZero(40));
        assertThat(ch.<Object>readOutbound()).as("24 request bytes still missing").isNull();
        assertThat(ch.isOpen()).isTrue();
        ch.writeInbound(Unpooled.buffer(24).writeZero(24));
        ByteBuf out = ch.readOutbound();
        assertThat(out.readableBytes()).isEqualTo(300);
        out.release();
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
        response.release();
        assertThat(response.refCnt()).isZero();
    }

    @Test
    void backendKindsAreNamedOnTheCommandLine() {
        assertThat(BackendKind.fromCliName("http-close")).isEqualTo(BackendKind.HTTP_CLOSE);
        assertThat(BackendKind.fromCliName("raw-close")).isEqualTo(BackendKind.RAW_CLOSE);
        assertThatThrownBy(() -> BackendKind.fromCliName("close")).hasMessageContaining("raw-close");
    }

    @Test
    void sizesAreBounded() {
        assertThatThrownBy(() -> new BackendSizes(0, 128)).hasMessageContaining("requestBytes: 0");
        assertThatThrownBy(() -> new BackendSizes(64, 0)).hasMessageContaining("responseBytes: 0");
    }
}
