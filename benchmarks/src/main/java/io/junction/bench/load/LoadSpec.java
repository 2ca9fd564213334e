package io.junction.bench.load;

import io.junction.bench.backend.StreamDirection;

import java.time.Duration;

/**
 * What one load run does. Immutable.
 *
 * @param mode        the load mode
 * @param connections parallel connections (TCP), concurrent connect loops (tcp-crr) or flows (UDP)
 * @param messageSize request/datagram size in bytes (ignored by tcp-stream, which writes 64 KiB chunks)
 * @param direction   tcp-stream direction
 * @param rate        total operations per second across all connections; 0 = closed loop, as fast as answers come
 * @param warmup      time before the measurement window opens
 * @param duration    length of the measurement window
 * @param maxOps      op budget for the whole run (warm-up included); the run ends early when it is spent
 * @param udpTimeout  how long udp-rr waits for an answer before counting the datagram lost
 */
public record LoadSpec(Mode mode, int connections, int messageSize, StreamDirection direction, long rate,
                       Duration warmup, Duration duration, long maxOps, Duration udpTimeout) {
    /** Smallest UDP payload: a sequence number and a send timestamp. */
    public static final int UDP_HEADER = 16;

    public LoadSpec {
        if (connections < 1 || connections > 10_000) {
            throw new IllegalArgumentException("connections: " + connections + " (expected: 1..10000)");
        }
        int min = mode.protocol() == io.junction.core.model.Protocol.UDP ? UDP_HEADER : 1;
        if (messageSize < min || messageSize > 65_000) {
            throw new IllegalArgumentException("messageSize: " + messageSize + " (expected: " + min + "..65000)");
        }
        if (rate < 0) {
            throw new IllegalArgumentException("rate: " + rate + " (expected: >= 0)");
        }
        if (mode == Mode.UDP_STREAM && rate == 0) {
            throw new IllegalArgumentException("rate: 0 (expected: > 0 for udp-stream, which is paced)");
        }
        if (warmup.isNegative() || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("warmup/duration: " + warmup + "/" + duration
                    + " (expected: warmup >= 0, duration > 0)");
        }
        if (maxOps < 1) {
            throw new IllegalArgumentException("maxOps: " + maxOps + " (expected: >= 1)");
        }
    }

    /**
     * With a rate, the time between one connection's intended starts in nanoseconds (each connection takes an equal
     * share of the rate); 0 in closed loop.
     */
    public long intervalNanos() {
        return rate == 0 ? 0 : Math.max(1, connections * 1_000_000_000L / rate);
    }

    /**
     * With a rate, the first intended start of connection {@code index}: the connections' schedules are staggered
     * evenly over one interval from {@code originNanos}. 0 in closed loop.
     */
    public long firstStartNanos(long originNanos, int index) {
        long interval = intervalNanos();
        return interval == 0 ? 0 : originNanos + interval * index / connections;
    }

    /** A one-line human description used in report headings. */
    public String describe() {
        String load = rate == 0 ? "closed loop" : rate + "/s fixed rate";
        return switch (mode) {
            case TCP_STREAM -> connections + " connections, " + direction.name().toLowerCase() + ", 64 KiB writes";
            case TCP_RR -> connections + " connections × " + messageSize + " B echo, " + load;
            case TCP_CRR -> connections + " concurrent connect loops × " + messageSize + " B echo, " + load;
            case UDP_STREAM -> connections + " flows × " + messageSize + " B, " + rate + " dgram/s paced";
            case UDP_RR -> connections + " flows × " + messageSize + " B, " + load + ", timeout "
                    + udpTimeout.toMillis() + " ms";
        };
    }
}
