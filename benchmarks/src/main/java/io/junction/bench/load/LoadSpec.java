package io.junction.bench.load;

import io.junction.bench.backend.BackendKind;
import io.junction.bench.backend.BackendSizes;
import io.junction.bench.backend.StreamDirection;

import java.time.Duration;

/**
 * What one load run does. Immutable.
 *
 * @param mode        the load mode
 * @param connections parallel connections (TCP), concurrent connect loops (tcp-crr, tcp-bcf) or flows (UDP)
 * @param messageSize request/datagram size in bytes (ignored by tcp-stream, which writes 64 KiB chunks, and by
 *                    tcp-bcf's HTTP flavour, which sends a fixed GET)
 * @param direction   tcp-stream direction
 * @param rate        total operations per second across all connections; 0 = closed loop, as fast as answers come
 * @param warmup      time before the measurement window opens
 * @param duration    length of the measurement window
 * @param maxOps      op budget for the whole run (warm-up included); the run ends early when it is spent
 * @param udpTimeout  how long udp-rr waits for an answer before counting the datagram lost
 * @param flavor      tcp-bcf: raw bytes or HTTP (ignored by the other modes)
 * @param responseSize tcp-bcf: bytes the backend answers with (raw) or its body size (HTTP)
 */
public record LoadSpec(Mode mode, int connections, int messageSize, StreamDirection direction, long rate,
                       Duration warmup, Duration duration, long maxOps, Duration udpTimeout, BcfFlavor flavor,
                       int responseSize) {
    /** Smallest UDP payload: a sequence number and a send timestamp. */
    public static final int UDP_HEADER = 16;
    /** tcp-bcf's default response (raw) or body (HTTP) size. */
    public static final int DEFAULT_RESPONSE_SIZE = 128;

    /** A spec for a mode other than tcp-bcf (or tcp-bcf with the HTTP flavour and a 128-byte body). */
    public LoadSpec(Mode mode, int connections, int messageSize, StreamDirection direction, long rate,
                    Duration warmup, Duration duration, long maxOps, Duration udpTimeout) {
        this(mode, connections, messageSize, direction, rate, warmup, duration, maxOps, udpTimeout, BcfFlavor.HTTP,
                DEFAULT_RESPONSE_SIZE);
    }

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
        if (flavor == null) {
            throw new IllegalArgumentException("flavor: null (expected: raw or http)");
        }
        if (responseSize < 1 || responseSize > BackendSizes.MAX_RESPONSE) {
            throw new IllegalArgumentException("responseSize: " + responseSize + " (expected: 1.."
                    + BackendSizes.MAX_RESPONSE + ")");
        }
    }

    /** The backend this load talks to. */
    public BackendKind backend() {
        return mode == Mode.TCP_BCF ? flavor.backend() : mode.backend();
    }

    /** Request and response sizes for the answer-then-close backends. */
    public BackendSizes backendSizes() {
        return new BackendSizes(messageSize, responseSize);
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
            case TCP_BCF -> flavor == BcfFlavor.HTTP
                    ? connections + " concurrent clients, HTTP GET with Connection: close, " + responseSize
                            + " B body, backend closes first, " + load
                    : connections + " concurrent clients × " + messageSize + " B request, " + responseSize
                            + " B response, backend closes first, " + load;
            case UDP_STREAM -> connections + " flows × " + messageSize + " B, " + rate + " dgram/s paced";
            case UDP_RR -> connections + " flows × " + messageSize + " B, " + load + ", timeout "
                    + udpTimeout.toMillis() + " ms";
        };
    }
}
