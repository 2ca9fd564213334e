package io.junction.bench.footprint;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FootprintArithmeticTest {
    private static MemorySample sample(long heap, long nettyDirect, long jdkDirect) {
        return new MemorySample(heap, nettyDirect, -1, -1, jdkDirect, 0);
    }

    @Test
    void proxyCostIsTheDifferenceOfPerConnectionDeltas() {
        RunMeasurement direct = new RunMeasurement("direct", 1000, 5,
                sample(10_000_000, 0, 100), sample(11_000_000, 0, 100));          // 1000 B/conn heap
        RunMeasurement proxied = new RunMeasurement("junction", 1000, 5,
                sample(11_000_000, 0, 100), sample(16_000_000, 2_000_000, 100));  // 5000 heap + 2000 direct
        ProxyCost c = ProxyCost.between(direct, proxied, ProxyCost.TARGET_BYTES);
        assertThat(c.heapPerConnection()).isCloseTo(4000, within(1e-9));
        assertThat(c.directPerConnection()).isCloseTo(2000, within(1e-9));
        assertThat(c.totalPerConnection()).isCloseTo(6000, within(1e-9));
        assertThat(c.withinTarget()).isTrue();
        assertThat(ProxyCost.between(direct, proxied, 5999).withinTarget()).isFalse();
    }

    @Test
    void runsWithDifferentCountsAreComparedPerConnection() {
        RunMeasurement direct = new RunMeasurement("direct", 500, 1, sample(0, -1, 0), sample(500_000, -1, 0));
        RunMeasurement proxied = new RunMeasurement("junction", 2000, 1, sample(0, -1, 0), sample(10_000_000, -1, 0));
        assertThat(ProxyCost.between(direct, proxied, 8192).heapPerConnection()).isCloseTo(4000, within(1e-9));
    }

    @Test
    void untrackedNettyDirectMemoryCountsAsZeroAndJdkBuffersAreAdded() {
        MemorySample s = new MemorySample(1, -1, 4096, 0, 300, 2);
        assertThat(s.direct()).isEqualTo(300);
        assertThat(new MemorySample(1, 700, 4096, 0, 300, 2).direct()).isEqualTo(1000);
        RunMeasurement m = new RunMeasurement("x", 10, 0, new MemorySample(0, -1, 0, 0, 100, 1),
                new MemorySample(0, 1000, 4096, 0, 200, 2));
        assertThat(m.nettyDirectDelta()).isEqualTo(1000);
        assertThat(m.jdkDirectDelta()).isEqualTo(100);
        assertThat(m.allocatorDirectDelta()).isEqualTo(4096);
        assertThat(m.directPerConnection()).isCloseTo(110, within(1e-9));
    }

    @Test
    void rejectsEmptyRuns() {
        assertThatThrownBy(() -> new RunMeasurement("x", 0, 0, sample(0, 0, 0), sample(0, 0, 0)))
                .hasMessage("connections: 0 (expected: > 0)");
    }

    @Test
    void fdBudgetLeavesTheReserveAndDividesByDescriptorsPerConnection() {
        FdBudget b = new FdBudget(20_000, 44);
        assertThat(b.maxConnections(4)).isEqualTo((20_000 - 44 - FdBudget.RESERVE) / 4);
        assertThat(b.maxConnections(2)).isEqualTo((20_000 - 44 - FdBudget.RESERVE) / 2);
        assertThat(new FdBudget(100, 90).maxConnections(4)).isZero();
        assertThat(new FdBudget(-1, -1).maxConnections(4)).isEqualTo(Integer.MAX_VALUE);
        assertThat(FdBudget.needed(10_000, 4)).isEqualTo(40_000 + FdBudget.RESERVE);
    }

    @Test
    void histogramParsesJcmdOutputAndRanksPerConnectionDifferences() {
        String before = """
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:          1000          64000  [B (java.base@17.0.15)
                   2:            10            480  io.netty.channel.epoll.EpollSocketChannel
                Total          1010          64480
                """;
        String direct = """
                   1:          2000         128000  [B (java.base@17.0.15)
                   2:           110           5280  io.netty.channel.epoll.EpollSocketChannel
                """;
        String proxied = """
                   1:          2000         128000  [B (java.base@17.0.15)
                   2:           310          14880  io.netty.channel.epoll.EpollSocketChannel
                   3:           100           3200  io.junction.core.forward.tcp.TcpConnection
                """;
        ClassHistogram b = ClassHistogram.parse(before);
        assertThat(b.classes()).hasSize(2);
        assertThat(b.classes().get("[B")).isEqualTo(new ClassHistogram.Entry(1000, 64000));
        Map<String, ClassHistogram.Entry> d = ClassHistogram.parse(direct).minus(b);
        Map<String, ClassHistogram.Entry> p = ClassHistogram.parse(proxied).minus(b);
        List<ClassHistogram.Diff> top = ClassHistogram.topDiffs(d, 100, p, 100, 5);
        assertThat(top).extracting(ClassHistogram.Diff::className)
                .containsExactly("io.netty.channel.epoll.EpollSocketChannel", "io.junction.core.forward.tcp.TcpConnection");
        assertThat(top.get(0).bytesPerConnection()).isCloseTo(96, within(1e-9));
        assertThat(top.get(0).instancesPerConnection()).isCloseTo(2, within(1e-9));
        assertThat(top.get(1).bytesPerConnection()).isCloseTo(32, within(1e-9));
        assertThat(ClassHistogram.topGrowth(p, 100, 1)).extracting(ClassHistogram.Diff::className)
                .containsExactly("[B");
    }
}
