package io.junction.bench.footprint;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * The JVM's memory at one instant, read after forced GCs. Immutable.
 *
 * @param heapUsed        heap in use (MemoryMXBean)
 * @param nettyDirect     direct memory Netty allocated without a JDK cleaner
 *                        ({@code PlatformDependent.usedDirectMemory()}), or -1 when Netty does not track it (then its
 *                        direct buffers are JDK direct buffers and show up in {@code jdkDirect})
 * @param allocatorDirect direct memory held by {@code ByteBufAllocator.DEFAULT} (chunks, including cached free
 *                        space), or -1 when the allocator exposes no metric; a subset of the other two direct figures
 * @param allocatorHeap   heap held by {@code ByteBufAllocator.DEFAULT} in its arenas, or -1
 * @param jdkDirect       memory of the JDK "direct" buffer pool (BufferPoolMXBean)
 * @param jdkDirectCount  number of JDK direct buffers
 */
public record MemorySample(long heapUsed, long nettyDirect, long allocatorDirect, long allocatorHeap, long jdkDirect,
                           long jdkDirectCount) {

    /** GC rounds before a sample; a few, because cleaners and reference processing free memory one GC late. */
    private static final int GC_ROUNDS = 4;
    private static final long GC_PAUSE_MILLIS = 100;

    /**
     * Forces GC a few times (with short pauses so cleaners run) and reads every figure. Any thread; blocks for about
     * half a second.
     */
    public static MemorySample afterGc() throws InterruptedException {
        for (int i = 0; i < GC_ROUNDS; i++) {
            System.gc();
            Thread.sleep(GC_PAUSE_MILLIS);
        }
        return now();
    }

    /** Reads every figure without forcing a GC. */
    public static MemorySample now() {
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long allocatorDirect = -1;
        long allocatorHeap = -1;
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            ByteBufAllocatorMetric metric = provider.metric();
            allocatorDirect = metric.usedDirectMemory();
            allocatorHeap = metric.usedHeapMemory();
        }
        long jdkDirect = 0;
        long jdkCount = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                jdkDirect = pool.getMemoryUsed();
                jdkCount = pool.getCount();
            }
        }
        return new MemorySample(heap, PlatformDependent.usedDirectMemory(), allocatorDirect, allocatorHeap, jdkDirect,
                jdkCount);
    }

    /**
     * All direct memory: Netty's untracked-by-the-JDK allocations plus the JDK pool. The allocator's figure is not
     * added, because its chunks are already counted in one of the two.
     */
    public long direct() {
        return Math.max(nettyDirect, 0) + jdkDirect;
    }
}
