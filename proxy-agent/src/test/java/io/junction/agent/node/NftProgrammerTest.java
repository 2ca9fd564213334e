package io.junction.agent.node;

import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The programmer against a fake nft: when it runs, what it runs, on which thread, and what it does with failures. */
class NftProgrammerTest {
    private static final ServiceKey WEB = ServiceKey.of("web", Protocol.TCP);
    private static final Duration DEBOUNCE = Duration.ofMillis(100);

    /** Records scripts and the threads they ran on; answers with {@link #next}. */
    static final class FakeNft implements NftRunner {
        final List<String> scripts = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        volatile Result next = new Result(0, "");

        @Override
        public Result run(String script) {
            scripts.add(script);
            threads.add(Thread.currentThread().getName());
            return next;
        }
    }

    private final FakeNft nft = new FakeNft();
    private volatile Set<Redirect> desired = Set.of();
    private final NftProgrammer programmer = new NftProgrammer(() -> desired, nft, DEBOUNCE);

    @AfterEach
    void close() {
        programmer.close();
    }

    private static Redirect web(int vipPort, int local) {
        return new Redirect(new InetSocketAddress("10.96.0.10", vipPort), Protocol.TCP, local, WEB);
    }

    @Test
    void startReplacesTheTableAtOnceEvenWithoutRulesOnItsOwnThread() {
        programmer.start();

        await().atMost(Duration.ofSeconds(2)).until(() -> nft.scripts.size() == 1);
        assertThat(nft.scripts.get(0)).isEqualTo(NftRuleset.replace(List.of()));
        assertThat(nft.threads).containsOnly("junction-nft");
        assertThat(programmer.status()).containsEntry("table", "inet junction").containsEntry("rules", 0)
                .containsEntry("error", null);
    }

    @Test
    void aBurstOfRequestsIsOneApplyAndAnUnchangedSetNone() throws Exception {
        programmer.start();
        await().atMost(Duration.ofSeconds(2)).until(() -> nft.scripts.size() == 1);

        desired = Set.of(web(80, 40001), web(443, 40001));
        for (int i = 0; i < 50; i++) {
            programmer.request();
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> nft.scripts.size() == 2);
        assertThat(nft.scripts.get(1)).isEqualTo(NftRuleset.replace(desired));
        assertThat(programmer.rules()).isEqualTo(2);

        programmer.request();
        Thread.sleep(DEBOUNCE.toMillis() * 4);
        assertThat(nft.scripts).as("same rules: nft not run again").hasSize(2);

        desired = Set.of(web(80, 40001));
        programmer.request();
        await().atMost(Duration.ofSeconds(2)).until(() -> nft.scripts.size() == 3);
        assertThat(nft.scripts.get(2)).contains("dport 80 ").doesNotContain("dport 443");
        assertThat(programmer.applies()).isEqualTo(3);
    }

    @Test
    void aRefusedScriptIsSurfacedWithNftsStderrAndRetriedUntilTaken() {
        nft.next = new NftRunner.Result(1, "Error: Could not process rule: No such file or directory");
        desired = Set.of(web(80, 40001));
        programmer.start();

        await().atMost(Duration.ofSeconds(2)).until(() -> programmer.failures() == 1);
        assertThat(programmer.lastError()).isEqualTo("nft exit 1: Error: Could not process rule: No such file or "
                + "directory");
        assertThat(programmer.status().get("error")).isEqualTo(programmer.lastError());
        assertThat(programmer.rules()).isZero();

        programmer.request();
        await().atMost(Duration.ofSeconds(2)).until(() -> programmer.failures() == 2);
        assertThat(nft.scripts).as("the same rules are tried again").hasSize(2);

        nft.next = new NftRunner.Result(0, "");
        programmer.request();
        await().atMost(Duration.ofSeconds(2)).until(() -> programmer.lastError() == null);
        assertThat(programmer.rules()).isEqualTo(1);
    }

    @Test
    void closeRemovesTheTableAndLaterRequestsDoNothing() {
        desired = Set.of(web(80, 40001));
        programmer.start();
        await().atMost(Duration.ofSeconds(2)).until(() -> nft.scripts.size() == 1);

        programmer.close();
        programmer.request();

        assertThat(nft.scripts).hasSize(2);
        assertThat(nft.scripts.get(1)).isEqualTo(NftRuleset.remove());
        programmer.close();
        assertThat(nft.scripts).as("close runs once").hasSize(2);
    }

    @Test
    void theRealCommandReportsAMissingBinaryAsAnError() {
        NftRunner.Result r = NftRunner.command("/nonexistent/nft", 5).run(NftRuleset.remove());

        assertThat(r.ok()).isFalse();
        assertThat(r.stderr()).startsWith("cannot run /nonexistent/nft");
    }
}
