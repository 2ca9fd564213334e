package io.junction.bench.cli;

import io.junction.bench.load.LoadSpec;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Duration;

import static io.junction.bench.cli.TcpBcfCommandTest.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** --from-start on the modes that offer it: no warm-up, a 30 s window unless --duration says otherwise. */
class FromStartOptionTest {
    @Test
    void fromStartMeansNoWarmupAndA30SecondWindow() {
        for (Class<? extends ModeCommand> type : java.util.List.of(TcpRrCommand.class, TcpCrrCommand.class,
                TcpBcfCommand.class)) {
            String name = type.getAnnotation(CommandLine.Command.class).name();
            ModeCommand c = parse(type, name, "--from-start");
            assertThat(c.fromStart()).as(name).isTrue();
            LoadSpec s = c.spec();
            assertThat(s.warmup()).as(name).isZero();
            assertThat(s.duration()).as(name).isEqualTo(Duration.ofSeconds(30));
        }
    }

    @Test
    void anExplicitDurationWinsAndTheProfileStillSetsTheRounds() {
        TcpCrrCommand c = parse(TcpCrrCommand.class, "tcp-crr", "--from-start", "--duration", "10s", "--quick");
        assertThat(c.spec().duration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.common.rounds()).isEqualTo(2);
    }

    @Test
    void withoutTheFlagNothingChanges() {
        TcpRrCommand c = parse(TcpRrCommand.class, "tcp-rr", "--quick");
        assertThat(c.fromStart()).isFalse();
        assertThat(c.spec().warmup()).isEqualTo(Duration.ofMillis(300));
        assertThat(c.spec().duration()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void aWarmupContradictsFromStartAndOtherModesDoNotOfferIt() {
        assertThatThrownBy(() -> parse(TcpRrCommand.class, "tcp-rr", "--from-start", "--warmup", "1s").spec())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--warmup");
        assertThatThrownBy(() -> parse(TcpStreamCommand.class, "tcp-stream", "--from-start"))
                .isInstanceOf(CommandLine.UnmatchedArgumentException.class);
        assertThatThrownBy(() -> parse(AllCommand.class, "all", "--from-start"))
                .isInstanceOf(CommandLine.UnmatchedArgumentException.class);
    }
}
