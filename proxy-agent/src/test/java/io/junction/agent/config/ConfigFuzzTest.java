package io.junction.agent.config;

import org.junit.jupiter.api.Test;

import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Seeded random mutations of a valid file: whatever the input, the loader either returns a config or throws
 * {@link ConfigException}; no other exception, no hang. A small, fast stand-in for the B2 fuzzing row.
 */
class ConfigFuzzTest {
    private static final int CASES = 2_000;
    private static final long BUDGET_NANOS = 20_000_000_000L;

    private static final String VALID = ConfigLoaderTest.MINIMAL + """
              - name: dns
                protocol: udp
                listen: "[::1]:5353"
                sessionIdleTimeout: 1m30s
                maxDatagramSize: 1KiB
                endpoints: [{address: 127.0.0.1:53, weight: 3, zone: a, ready: true}]
            proxy: {workerThreads: 2, shutdownDrainTimeout: 10s, accessLog: false}
            """;

    private static final String[] SNIPPETS = {":", "- ", "[", "]", "{", "}", "&a ", "*a", "!!binary ", "#", "'", "\"",
        "\n", "\t", "  ", "---\n", "...", "0", "-1", "99999999999999999999", "1.5e3", "ms", "d", "null", "~", "?",
        "|\n", ">\n", "%YAML 1.2\n", "é", "\u0000", "\uFEFF", "\\", ",", "@", "`", "0x1F", ".inf", "127.0.0.1:0",
        "[::1]", "off", "true"};

    @Test
    void onlyConfigExceptionEscapes() {
        ConfigLoader loader = new ConfigLoader(host -> {
            throw new UnknownHostException(host);
        });
        assertThat(loader.parse(VALID, "valid.yaml").services()).hasSize(2);

        Random random = new Random(20240613L);
        long start = System.nanoTime();
        long slowest = 0;
        int run = 0;
        int accepted = 0;
        for (; run < CASES && System.nanoTime() - start < BUDGET_NANOS; run++) {
            byte[] input = mutate(VALID.getBytes(StandardCharsets.UTF_8), random);
            long t0 = System.nanoTime();
            try {
                loader.parse(input, "fuzz.yaml");
                accepted++;
            } catch (ConfigException expected) {
                assertThat(expected.errors()).isNotEmpty();
                int lines = YamlLines.count(new String(input, StandardCharsets.UTF_8));
                assertThat(expected.errors()).as("case %d: errors within the file's %d lines", run, lines)
                        .allSatisfy(e -> assertThat(e.line()).isBetween(0, lines));
            } catch (RuntimeException | StackOverflowError e) {
                fail("case " + run + " threw " + e + " for input:\n" + new String(input, StandardCharsets.UTF_8), e);
            }
            slowest = Math.max(slowest, System.nanoTime() - t0);
        }
        assertThat(run).as("cases run within the time budget").isGreaterThanOrEqualTo(500);
        // Generous against a loaded 2-core machine; a hang or super-linear blow-up would be far beyond this.
        assertThat(slowest).as("slowest case in ns").isLessThan(2_000_000_000L);
        assertThat(accepted).as("some mutations stay valid").isPositive().isLessThan(run);
    }

    private static byte[] mutate(byte[] base, Random random) {
        List<Byte> bytes = new ArrayList<>(base.length + 64);
        for (byte b : base) {
            bytes.add(b);
        }
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations && !bytes.isEmpty(); m++) {
            int at = random.nextInt(bytes.size());
            switch (random.nextInt(6)) {
                case 0 -> bytes.remove(at);
                case 1 -> insert(bytes, at, SNIPPETS[random.nextInt(SNIPPETS.length)].getBytes(StandardCharsets.UTF_8));
                case 2 -> bytes.set(at, (byte) random.nextInt(256));
                case 3 -> bytes.subList(at, Math.min(bytes.size(), at + 1 + random.nextInt(40))).clear();
                case 4 -> {
                    int len = Math.min(bytes.size() - at, 1 + random.nextInt(60));
                    insert(bytes, random.nextInt(bytes.size()), toArray(bytes.subList(at, at + len)));
                }
                default -> insert(bytes, at, Integer.toString(random.nextInt(200_000) - 100)
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        return toArray(bytes);
    }

    private static void insert(List<Byte> bytes, int at, byte[] what) {
        List<Byte> add = new ArrayList<>(what.length);
        for (byte b : what) {
            add.add(b);
        }
        bytes.addAll(at, add);
    }

    private static byte[] toArray(List<Byte> bytes) {
        byte[] out = new byte[bytes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = bytes.get(i);
        }
        return Arrays.copyOf(out, out.length);
    }
}
