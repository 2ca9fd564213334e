package io.junction.bench.report;

import io.junction.bench.load.Mode;
import io.junction.bench.load.Tally;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressTest {

    @Test
    void outputThatIsNoTerminalGetsPlainLines() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream captured = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        try (Progress progress = new Progress(captured)) {
            progress.status("tcp-rr: starting junction");
            // A few ticks of the 250 ms timer.
            Thread.sleep(800);
        }

        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("\r").isEqualTo("tcp-rr: starting junction\n");
    }

    @Test
    void withoutTerminalALineAtEachPhaseAndAtMostOneEveryFiveSeconds() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress progress = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, false);

        progress.tick(0);
        progress.status("tcp-rr: starting junction");
        for (long ms = 0; ms < 5_000; ms += 250) {
            progress.tick(ms(ms));
        }
        progress.tick(ms(5_000));
        progress.warmup("tcp-rr round 1/3 junction", Mode.TCP_RR, new Tally(), ms(15_000));
        progress.tick(ms(5_250));
        progress.tick(ms(9_000));
        progress.measure(ms(15_000), ms(45_000));
        progress.tick(ms(15_250));
        progress.close();

        assertThat(bytes.toString(StandardCharsets.UTF_8)).doesNotContain("\r").isEqualTo("""
                tcp-rr: starting junction
                tcp-rr: starting junction
                tcp-rr round 1/3 junction  warm-up 9.8s left
                tcp-rr round 1/3 junction  measuring 29.8s left  0 req/s  errors 0
                """);
    }

    @Test
    void onATerminalTheLineIsRewrittenInPlaceAndClearedAtTheEnd() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress progress = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, false);

        progress.status("tcp-rr: starting junction");
        progress.tick(0);
        progress.status("tcp-rr: stop");
        progress.tick(ms(250));
        progress.close();

        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("\rtcp-rr: starting junction"
                + "\rtcp-rr: stop" + " ".repeat(13) + "\r" + " ".repeat(12) + "\r");
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
