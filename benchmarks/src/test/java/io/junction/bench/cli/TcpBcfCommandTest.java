package io.junction.bench.cli;

import io.junction.bench.backend.BackendKind;
import io.junction.bench.load.BcfFlavor;
import io.junction.bench.load.LoadSpec;
import io.junction.bench.load.Mode;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** tcp-bcf's options as the command line gives them, and its place in {@code all}. */
class TcpBcfCommandTest {
    /** Parses {@code args} the way BenchMain does and returns the sub-command picocli filled in. */
    static <T> T parse(Class<T> type, String... args) {
        CommandLine cl = new CommandLine(new BenchCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        List<CommandLine> parsed = cl.parseArgs(args).asCommandLineList();
        return type.cast(parsed.get(parsed.size() - 1).getCommand());
    }

    @Test
    void defaultsAreFiftyHttpClientsWithA128ByteBody() {
        LoadSpec s = parse(TcpBcfCommand.class, "tcp-bcf").spec();
        assertThat(s.mode()).isEqualTo(Mode.TCP_BCF);
        assertThat(s.connections()).isEqualTo(50);
        assertThat(s.flavor()).isEqualTo(BcfFlavor.HTTP);
        assertThat(s.responseSize()).isEqualTo(128);
        assertThat(s.backend()).isEqualTo(BackendKind.HTTP_CLOSE);
        assertThat(s.rate()).isZero();
        assertThat(s.describe()).contains("50 concurrent clients", "Connection: close", "128 B body",
                "backend closes first", "closed loop");
    }

    @Test
    void rawFlavourTakesRequestAndResponseSizes() {
        LoadSpec s = parse(TcpBcfCommand.class, "tcp-bcf", "--flavor", "raw", "-s", "32", "--response-size",
                "4096", "-c", "8", "--rate", "1000", "--duration", "2s").spec();
        assertThat(s.flavor()).isEqualTo(BcfFlavor.RAW);
        assertThat(s.backend()).isEqualTo(BackendKind.RAW_CLOSE);
        assertThat(s.backendSizes().requestBytes()).isEqualTo(32);
        assertThat(s.backendSizes().responseBytes()).isEqualTo(4096);
        assertThat(s.connections()).isEqualTo(8);
        assertThat(s.rate()).isEqualTo(1000);
        assertThat(s.duration()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.describe()).contains("8 concurrent clients × 32 B request, 4096 B response");
        assertThat(parse(TcpBcfCommand.class, "tcp-bcf", "--flavor", "HTTP").flavor).isEqualTo(BcfFlavor.HTTP);
    }

    @Test
    void badValuesAreRefused() {
        assertThatThrownBy(() -> parse(TcpBcfCommand.class, "tcp-bcf", "--flavor", "udp"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("udp");
        assertThatThrownBy(() -> parse(TcpBcfCommand.class, "tcp-bcf", "--response-size", "0").spec())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("responseSize: 0");
    }

    @Test
    void theHttpRequestIsFixedAndTheRawOneIsSized() {
        assertThat(new String(BcfFlavor.HTTP.request(64), java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(BcfFlavor.RAW.request(64)).hasSize(64);
    }

    @Test
    void allRunsTcpBcfAfterTcpCrrWithItsOwnDefaults() {
        CommonOptions o = parse(AllCommand.class, "all", "--quick").common;
        assertThat(List.of(Mode.values())).containsSubsequence(Mode.TCP_CRR, Mode.TCP_BCF);
        LoadSpec s = ModeDefaults.spec(Mode.TCP_BCF, o);
        assertThat(s.connections()).isEqualTo(50);
        assertThat(s.flavor()).isEqualTo(BcfFlavor.HTTP);
        assertThat(s.duration()).isEqualTo(Duration.ofMillis(1500));
    }
}
